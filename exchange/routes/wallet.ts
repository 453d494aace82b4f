/**
 * The few wallet and fee endpoints third-party clients call before trading: `GET
 * /sapi/v1/system/status` (ccxt `fetchStatus`), `GET /sapi/v1/asset/tradeFee` (ccxt
 * `fetchTradingFees`) and `GET /api/v3/account/commission`. Fees are the exchange's maker/taker
 * rates for every symbol.
 */
import { type Dec, fixed } from '../../core/decimal';
import type { Venue } from '../../venue';
import { type AddRoute, fixedWeight, paramReaders } from './common';

export interface WalletDeps {
  readonly venue: Venue;
  readonly fees: { readonly maker: Dec; readonly taker: Dec };
}

export function addWalletRoutes(add: AddRoute, deps: WalletDeps): void {
  const { venue, fees } = deps;
  const { symbolParam, done } = paramReaders(venue);
  const rate = (r: Dec) => fixed(r, 8);

  add({
    method: 'GET',
    path: '/sapi/v1/system/status',
    signed: false,
    weight: fixedWeight(1),
    handler: ({ params }) => (done(params, false), { body: { status: 0, msg: 'normal' } }),
  });
  add({
    method: 'GET',
    path: '/sapi/v1/asset/tradeFee',
    signed: true,
    weight: fixedWeight(1),
    handler: ({ params }) => {
      const symbol = symbolParam(params, false);
      done(params, true);
      const names = symbol !== undefined ? [symbol] : venue.symbols().map((s) => s.filters.symbol);
      return { body: names.map((s) => ({ symbol: s, makerCommission: fees.maker, takerCommission: fees.taker })) };
    },
  });
  add({
    method: 'GET',
    path: '/api/v3/account/commission',
    signed: true,
    weight: fixedWeight(20),
    handler: ({ params }) => {
      const symbol = symbolParam(params) as string;
      done(params, true);
      const zero = rate('0');
      return {
        body: {
          symbol,
          standardCommission: { maker: rate(fees.maker), taker: rate(fees.taker), buyer: zero, seller: zero },
          specialCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
          taxCommission: { maker: zero, taker: zero, buyer: zero, seller: zero },
          discount: { enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.75000000' },
        },
      };
    },
  });
}
