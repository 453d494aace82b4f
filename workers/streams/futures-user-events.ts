/**
 * The USDⓈ-M user-data events (raw listenKey stream JSON, Binance's field letters) as what the
 * stream service acts on. Pure. Every result is a hint for the bot, checked against the exchange
 * like a spot executionReport (core/order-authority-kernel.ts): a duplicate changes nothing, a
 * lost one is covered by reconciliation.
 *
 * - ORDER_TRADE_UPDATE: an order snapshot (with the trade as a fill on TRADE executions).
 * - ALGO_UPDATE (conditional orders on the algo endpoint, keyed by clientAlgoId): NEW is a
 *   snapshot; any other status makes the owner reconcile (futuresReconcile reads the algo order,
 *   the order it placed and its trades, and the position at once): a TRIGGERED / FINISHED event
 *   carries no fills, and an ended stop must not be seen before the fill that ended it.
 * - ACCOUNT_UPDATE, MARGIN_CALL: the symbols whose positions changed (or are at risk), so the
 *   bots on them reconcile, and a line for the log.
 */
import { type Dec, isPositive, mul, str } from '../../core/decimal';
import type { OrderSnapshot } from '../../core/orders';
import { toStatus } from '../../activities/mapping';

export type FuturesUserEvent =
  | { readonly kind: 'order'; readonly snapshot: OrderSnapshot }
  /** Reconcile the owner of this client id (an algo order's execution). */
  | { readonly kind: 'reconcileOrder'; readonly clientOrderId: string; readonly symbol: string; readonly why: string }
  /** Reconcile the bots on these symbols of the account (positions moved, or margin at risk). */
  | {
      readonly kind: 'account';
      readonly type: 'ACCOUNT_UPDATE' | 'MARGIN_CALL';
      readonly symbols: readonly string[];
      readonly summary: string;
    }
  | { readonly kind: 'listenKeyExpired' }
  | { readonly kind: 'ignored'; readonly type: string };

type Raw = Record<string, unknown>;

const text = (v: unknown, what: string): string => {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new Error(`${what}: ${JSON.stringify(v)} is not a value`);
};
const decimal = (v: unknown, what: string): Dec => str(text(v, what));
const int = (v: unknown, what: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${what}: ${JSON.stringify(v)} is not an integer`);
  return n;
};

/** ORDER_TRADE_UPDATE's `o` as an order snapshot. */
export function snapshotFromOrderTradeUpdate(o: Raw, eventTime?: number): OrderSnapshot {
  const executedQty = decimal(o.z, 'o.z');
  const time = int(o.T ?? eventTime, 'o.T');
  const tradeId = Number(o.t ?? 0);
  const isTrade = o.x === 'TRADE' && Number.isSafeInteger(tradeId) && tradeId > 0;
  const lastQty = isTrade ? decimal(o.l, 'o.l') : '0';
  const lastPrice = isTrade ? decimal(o.L, 'o.L') : '0';
  const reason = typeof o.er === 'string' && o.er !== '' ? o.er : undefined;
  return {
    clientOrderId: text(o.c, 'o.c'),
    symbol: text(o.s, 'o.s'),
    exchangeOrderId: int(o.i, 'o.i'),
    status: toStatus(text(o.X, 'o.X')),
    executedQty,
    // The event has no cumulative quote: executed × average price.
    cumulativeQuoteQty: isPositive(executedQty) ? mul(executedQty, decimal(o.ap ?? '0', 'o.ap')) : '0',
    updateTime: time,
    ...(isTrade
      ? {
          fills: [
            {
              tradeId,
              price: lastPrice,
              qty: lastQty,
              quoteQty: mul(lastPrice, lastQty),
              commission: decimal(o.n ?? '0', 'o.n'),
              commissionAsset: typeof o.N === 'string' ? o.N : '',
              time,
              isMaker: o.m === true,
            },
          ],
        }
      : {}),
    ...(reason ? { reason } : {}),
  };
}

/**
 * Only NEW is relayed as a snapshot. A closePosition stop ends (EXPIRED, CANCELED) when the order
 * closing the position fills, and its ALGO_UPDATE can reach the bot before that fill's report:
 * believed alone it shows an open position without its stop, and the bot places a second one
 * (seen in tests/integration/futures-backtest-parity.test.ts). Reconciliation reads both at once.
 */
const ALGO_WITHOUT_EXECUTION: Readonly<Record<string, OrderSnapshot['status']>> = {
  NEW: 'NEW',
};

/** ALGO_UPDATE's `o`: a snapshot, or the owner reconciles (see the module comment). */
export function fromAlgoUpdate(o: Raw, time: number): FuturesUserEvent {
  const clientOrderId = text(o.caid, 'o.caid');
  const symbol = text(o.s, 'o.s');
  const raw = text(o.X, 'o.X');
  const status = ALGO_WITHOUT_EXECUTION[raw];
  if (status === undefined || isPositive(o.aq === undefined ? '0' : decimal(o.aq, 'o.aq')))
    return { kind: 'reconcileOrder', clientOrderId, symbol, why: `algo order ${clientOrderId} ${raw}` };
  const reason = typeof o.rm === 'string' && o.rm !== '' ? o.rm : `algo order ${raw}`;
  return {
    kind: 'order',
    snapshot: {
      clientOrderId,
      symbol,
      exchangeOrderId: int(o.aid, 'o.aid'),
      status,
      executedQty: '0',
      cumulativeQuoteQty: '0',
      updateTime: time,
      ...(status === 'EXPIRED' || status === 'REJECTED' ? { reason } : {}),
    },
  };
}

function symbolsOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return [...new Set(list.map((p) => (p as Raw)?.s).filter((s): s is string => typeof s === 'string' && s !== ''))];
}

/** One raw event; throws (with the field named) when an event we act on is malformed. */
export function parseFuturesUserEvent(event: Raw): FuturesUserEvent {
  const type = typeof event.e === 'string' ? event.e : '';
  const time = Number(event.T ?? event.E ?? 0);
  switch (type) {
    case 'ORDER_TRADE_UPDATE':
      return { kind: 'order', snapshot: snapshotFromOrderTradeUpdate((event.o ?? {}) as Raw, time) };
    case 'ALGO_UPDATE':
      return fromAlgoUpdate((event.o ?? {}) as Raw, time);
    case 'ACCOUNT_UPDATE': {
      const a = (event.a ?? {}) as Raw;
      const symbols = symbolsOf(a.P);
      const reason = typeof a.m === 'string' ? a.m : '?';
      const positions = (Array.isArray(a.P) ? (a.P as Raw[]) : []).map((p) => `${String(p.s)} ${String(p.pa)}`);
      return {
        kind: 'account',
        type,
        symbols,
        summary: `ACCOUNT_UPDATE (${reason})${positions.length > 0 ? `: positions ${positions.join(', ')}` : ''}`,
      };
    }
    case 'MARGIN_CALL': {
      const positions = (Array.isArray(event.p) ? (event.p as Raw[]) : []).map(
        (p) => `${String(p.s)} ${String(p.pa)} at mark ${String(p.mp)}, maintenance margin ${String(p.mm)}`,
      );
      return {
        kind: 'account',
        type,
        symbols: symbolsOf(event.p),
        summary: `MARGIN_CALL: ${positions.join('; ') || 'no position listed'}`,
      };
    }
    case 'listenKeyExpired':
      return { kind: 'listenKeyExpired' };
    default:
      return { kind: 'ignored', type };
  }
}
