/**
 * Read-only exchange activities: symbol filters, reconciliation of a bot's orders and balances,
 * and data requests (candles for gap backfill, ...). Safe to retry: they change nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Dec, isPositive } from '../core/decimal';
import type { Candle, CandleInterval, SymbolFilters } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import type { DataRequest, Json } from '../core/strategy';
import { splitSymbol } from '../core/symbols';
import { FailureType, retryableFailure } from './errors';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';
import { accountOf, listedOrInvalid, readFromExchange } from './exchange-reads';
import type { ForeignOrder } from '../core/adoption';
import type { ReconcileTarget } from '../core/reconcile-plan';
import { type LineageInput, lineageOrders } from './lineage';
import { candleFromRaw, fillFromTrade, filtersFromExchangeInfo, snapshotFromOrder } from './mapping';

export interface ReconcileInput {
  readonly account: string;
  readonly symbol: string;
  /** The bot's non-final orders on its own symbol. */
  readonly clientOrderIds: readonly string[];
  /** Orders to look up, with their symbols (multi-symbol strategies); takes precedence over clientOrderIds. */
  readonly orders?: readonly ReconcileTarget[];
  /** The bot's own client-id tag: its orders are never orphans. */
  readonly ownTag: string;
  /** Bots with exact ids: find the orders of their lineage they do not know (activities/lineage.ts). */
  readonly lineage?: LineageInput;
}

export interface ReconcileResult {
  readonly snapshots: readonly OrderSnapshot[];
  /** Ids the exchange does not know (reported, never dropped silently). */
  readonly missing: readonly string[];
  /** Orders of unknown outcome still not found after their resend deadline: proven never placed. */
  readonly absent: readonly string[];
  readonly balances: { readonly base: Dec; readonly quote: Dec } | null;
  /** Open orders on the symbol that no running bot owns. */
  readonly orphans: readonly string[];
  readonly foreign: readonly ForeignOrder[];
  readonly inherited: readonly string[];
  readonly scanIncomplete: boolean;
}

export interface FetchDataInput {
  readonly account: string;
  readonly request: DataRequest;
}

/** Extra data handlers (model inference, order book analysis) plugged in by the worker. */
export type DataHandler = (request: DataRequest, account: ExchangeAccount) => Promise<Json>;

export interface MarketActivityDeps {
  readonly accounts: AccountRegistry;
  /** Client-id prefixes of every running bot (for orphan detection). */
  readonly botTags: () => Promise<readonly string[]>;
  readonly dataHandlers?: Partial<Record<DataRequest['kind'], DataHandler>>;
}

/**
 * Account-wide answers (balances, the open orders of a symbol) are shared by every bot of the
 * account for a moment: after a stream reconnect all bots reconcile at once, and each asking the
 * exchange for the same account would burn the weight budget they share.
 */
const SHARED_ANSWER_MS = 2_000;

export function createMarketActivities(deps: MarketActivityDeps) {
  const shared = new Map<string, { at: number; value: Promise<unknown> }>();
  function sharedRead<T>(key: string, load: () => Promise<T>, fresh = false): Promise<T> {
    const now = Date.now();
    const hit = shared.get(key);
    if (!fresh && hit && now - hit.at < SHARED_ANSWER_MS) return hit.value as Promise<T>;
    const value = load();
    shared.set(key, { at: now, value });
    value.catch(() => shared.delete(key));
    return value;
  }

  const account = (name: string): ExchangeAccount => accountOf(deps.accounts, name);

  async function candles(
    acc: ExchangeAccount,
    symbol: string,
    interval: CandleInterval,
    limit: number,
    endTime?: number,
  ): Promise<Candle[]> {
    const raw = await readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['candles']>>>(acc, 'klines', 2, (r) =>
      r.candles({ symbol, interval, limit, ...(endTime !== undefined ? { endTime } : {}) }),
    );
    const now = Date.now();
    // The exchange includes the candle still forming; bots only ever see closed candles. A candle
    // ending before `endTime` (a gap's end: the open of a candle already reported closed) is closed
    // too, whatever the wall clock says (a paper exchange's manual candles run ahead of it).
    return raw
      .filter((c) => Number(c.closeTime) < now || (endTime !== undefined && Number(c.closeTime) <= endTime))
      .map((c) => candleFromRaw(symbol, interval, c));
  }

  return {
    async getSymbolFilters(input: { account: string; symbol: string }): Promise<SymbolFilters> {
      const acc = account(input.account);
      const info = await readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['exchangeInfo']>>>(
        acc,
        'exchangeInfo',
        20,
        (r) => r.exchangeInfo({ symbol: input.symbol }),
      );
      return listedOrInvalid(() => filtersFromExchangeInfo(info, input.symbol));
    },

    async reconcile(input: ReconcileInput): Promise<ReconcileResult> {
      const acc = account(input.account);
      const { symbol } = input;
      const snapshots: OrderSnapshot[] = [];
      const missing: string[] = [];
      const absent: string[] = [];
      const orders: readonly ReconcileTarget[] =
        input.orders ?? input.clientOrderIds.map((clientOrderId) => ({ clientOrderId, symbol }));
      for (const { clientOrderId, symbol: orderSymbol, since } of orders) {
        try {
          const raw = await acc.call('getOrder', 4, (r) =>
            r.getOrder({ symbol: orderSymbol, origClientOrderId: clientOrderId }),
          );
          const fills = isPositive(raw.executedQty)
            ? (
                await readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['myTrades']>>>(
                  acc,
                  'myTrades',
                  20,
                  (r) => r.myTrades({ symbol: orderSymbol, orderId: raw.orderId }),
                )
              )
                .filter((t) => Number(t.orderId) === Number(raw.orderId))
                .map(fillFromTrade)
            : [];
          snapshots.push(snapshotFromOrder(raw, fills));
        } catch (err) {
          if (err instanceof ApplicationFailure) throw err;
          const c = acc.classify(err);
          if (c.kind !== 'notFound')
            throw retryableFailure(
              c.kind === 'notSent' && c.rateLimited ? FailureType.RateLimited : FailureType.Unreachable,
              `reconcile ${clientOrderId} failed (${c.code}): ${c.message}`,
              c.kind === 'notSent' ? c.retryAfterMs : undefined,
            );
          // Not found: for an order of unknown outcome, proof of absence once no earlier request can still execute.
          if (since !== undefined && Date.now() > acc.executionDeadline(since)) absent.push(clientOrderId);
          else missing.push(clientOrderId);
        }
      }
      const [open, accountInfo, tags] = await Promise.all([
        // A scan (a new run, a reset) looks at the orders as they are now, not as another bot saw them.
        sharedRead(
          `${acc.name}/openOrders/${symbol}`,
          () =>
            readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['openOrders']>>>(acc, 'openOrders', 6, (r) =>
              r.openOrders({ symbol }),
            ),
          input.lineage?.scan === true,
        ),
        sharedRead(`${acc.name}/account`, () =>
          readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['accountInfo']>>>(acc, 'account', 20, (r) =>
            r.accountInfo(),
          ),
        ),
        deps.botTags(),
      ]);
      const listed = new Set(orders.map((o) => o.clientOrderId));
      const owned = await lineageOrders(
        acc,
        symbol,
        input.ownTag,
        input.lineage,
        open,
        listed,
        tags,
        (what, weight, fn) => readFromExchange(acc, what, weight, fn),
      );
      const { base, quote } = splitSymbol(symbol);
      const free = (asset: string) => accountInfo.balances.find((b) => b.asset === asset)?.free ?? '0';
      return { snapshots, missing, absent, balances: { base: free(base), quote: free(quote) }, ...owned };
    },

    async fetchData(input: FetchDataInput): Promise<Json> {
      const acc = account(input.account);
      const { request } = input;
      const handler = deps.dataHandlers?.[request.kind];
      if (handler) return handler(request, acc);
      switch (request.kind) {
        case 'candles':
          return (await candles(
            acc,
            request.symbol,
            request.interval,
            request.limit,
            request.endTime,
          )) as unknown as Json;
        case 'balances': {
          const info = await readFromExchange<Awaited<ReturnType<ExchangeAccount['rest']['accountInfo']>>>(
            acc,
            'account',
            20,
            (r) => r.accountInfo(),
          );
          const { base, quote } = splitSymbol(request.symbol);
          const free = (asset: string) => info.balances.find((b) => b.asset === asset)?.free ?? '0';
          return { base: free(base), quote: free(quote) };
        }
        default:
          throw ApplicationFailure.create({
            type: FailureType.InvalidRequest,
            nonRetryable: true,
            message: `no handler for data request "${request.kind}" on this worker`,
          });
      }
    },
  };
}

export type MarketActivities = ReturnType<typeof createMarketActivities>;
