/**
 * What the USDⓈ-M routes share: their dependencies, the parameter readers that answer with
 * Binance's futures codes, and the perpetual's refusals as API errors (HTTP 400 `{code, msg}`).
 */
import type { Dec } from '../../../core/decimal';
import type { BookModel } from '../../../venue';
import type { Perpetual, PerpEvent, PerpResult } from '../../../venue/perpetual';
import { type PerpPrecision, perpPrecision } from '../../futures/format';
import type { FuturesUserStreams } from '../../futures/user-streams';
import { Api, ApiError, type Params, err } from '../../http/params';
import type { Market } from '../../market/market';
import { type AddRoute, SIGNED_EXTRA } from '../common';

export type { AddRoute };

export interface FuturesRouteDeps {
  readonly perp: Perpetual;
  readonly market: Market;
  /** Wall clock (server time). */
  readonly now: () => number;
  /** Send the perpetual's events to the user streams and the audit. */
  readonly emit: (events: readonly PerpEvent[]) => void;
  /** The hide-order fault: a just-placed order is not visible to lookups yet. */
  readonly isHidden: (orderId: number) => boolean;
  readonly streams: FuturesUserStreams;
  /** The book the depth endpoint shows (the exchange's display book). */
  readonly displayBook: BookModel;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

export function unwrapPerp<T>(r: PerpResult<T>): T {
  if (!r.ok) throw new ApiError(r.code, r.msg, 400);
  return r;
}

const SYMBOL = /^[A-Z0-9-_.]{1,20}$/;

export function perpReaders(perp: Perpetual) {
  const symbolParam = (p: Params, required = true): string | undefined => {
    const s = p.str('symbol', { required });
    if (s === undefined) return undefined;
    if (!SYMBOL.test(s)) throw Api.illegal('symbol', '^[A-Z0-9-_.]{1,20}$');
    if (!perp.symbol(s)) throw Api.invalidSymbol();
    return s;
  };
  /** Binance's futures booleans: "true" / "false" (any case). */
  const bool = (p: Params, name: string): boolean | undefined => {
    const v = p.str(name);
    if (v === undefined) return undefined;
    const l = v.toLowerCase();
    if (l !== 'true' && l !== 'false') throw Api.invalidData(name);
    return l === 'true';
  };
  const side = (p: Params): 'BUY' | 'SELL' =>
    p.oneOf('side', ['BUY', 'SELL'] as const, () => err(-1117, 'Invalid side.'), { required: true }) as 'BUY' | 'SELL';
  const positionSide = (p: Params): 'BOTH' | 'LONG' | 'SHORT' | undefined =>
    p.oneOf('positionSide', ['BOTH', 'LONG', 'SHORT'] as const, () => Api.invalidData('positionSide'));
  const workingType = (p: Params) =>
    p.oneOf('workingType', ['MARK_PRICE', 'CONTRACT_PRICE'] as const, () => Api.invalidData('workingType'));
  const respType = (p: Params) =>
    p.oneOf('newOrderRespType', ['ACK', 'RESULT'] as const, () => Api.invalidData('newOrderRespType'));
  /** Parameters accepted for compatibility and ignored: self-trade prevention, price match NONE. */
  const ignored = (p: Params): void => {
    p.oneOf('selfTradePreventionMode', ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const, () =>
      Api.invalidData('selfTradePreventionMode'),
    );
    p.oneOf('priceMatch', ['NONE'] as const, () =>
      err(
        -1130,
        "Data sent for parameter 'priceMatch' is not valid: the paper exchange supports priceMatch=NONE only.",
      ),
    );
    if (p.str('goodTillDate') !== undefined)
      throw err(-1130, "Data sent for parameter 'goodTillDate' is not valid: the paper exchange has no GTD orders.");
  };
  const done = (p: Params, signed: boolean): void => p.assertAllRead(signed ? SIGNED_EXTRA : []);
  const precision = (symbol: string): PerpPrecision => perpPrecision(perp.symbol(symbol));
  const window = (p: Params, max: number) => {
    const startTime = p.int('startTime');
    const endTime = p.int('endTime');
    const limit = p.int('limit', { min: 1, max });
    return {
      ...(startTime !== undefined ? { startTime } : {}),
      ...(endTime !== undefined ? { endTime } : {}),
      ...(limit !== undefined ? { limit } : {}),
    };
  };
  return { symbolParam, bool, side, positionSide, workingType, respType, ignored, done, precision, window };
}

export const fixedWeight = (w: number) => (): number => w;
