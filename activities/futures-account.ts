/**
 * USDⓈ-M reads and settings for a futures bot: its symbol's filters, reconciliation (its orders
 * by client id, the position from positionRisk, the free margin, orphans), and the leverage and
 * margin type, set idempotently: positionRisk says what the exchange has, and only a difference
 * is sent (so a restart, a retry or a second reconcile changes nothing). Read-only otherwise.
 */
import type { SymbolFilters } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import type { FuturesSetup } from '../core/futures/setup';
import { FailureType, rejectedFailure, retryableFailure } from './errors';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';
import type { ReconcileInput, ReconcileResult } from './market';
import type { ReconcileTarget } from '../core/reconcile-plan';
import { futuresLookup, futuresRest } from './futures-orders';
import { accountOf, listedOrInvalid, readFromExchange } from './exchange-reads';
import { filtersFromFuturesInfo } from './futures-mapping';
import type { RawFuturesAlgo, RawFuturesOrder, RawPositionRisk } from './futures-types';
import { futuresLineageOrders } from './futures-lineage';

export interface FuturesReconcileInput extends ReconcileInput {
  readonly futures: FuturesSetup;
  /** Ids of the bot's algo orders (the protective stop): looked up by clientAlgoId. */
  readonly algoIds: readonly string[];
}

export interface FuturesReconcileResult extends ReconcileResult {
  /** What positionRisk says: the signed position, its entry, and what the settings step did. */
  readonly position: {
    readonly positionAmt: string;
    readonly entryPrice: string;
    readonly leverage: number;
    readonly marginType: string;
  } | null;
  readonly settings: readonly string[];
}

export interface FuturesAccountDeps {
  readonly accounts: AccountRegistry;
  readonly botTags: () => Promise<readonly string[]>;
}

/** Binance writes "isolated" / "cross" in positionRisk, ISOLATED / CROSSED in the setting. */
const sameMarginType = (raw: string, wanted: FuturesSetup['marginType']) =>
  raw.toUpperCase().startsWith(wanted === 'ISOLATED' ? 'ISOLATED' : 'CROSS');

/** Bring leverage and margin type to the bot's; returns what was changed or why not. */
async function applySettings(
  acc: ExchangeAccount,
  symbol: string,
  want: FuturesSetup,
  risk: RawPositionRisk | undefined,
): Promise<string[]> {
  const done: string[] = [];
  const rest = futuresRest(acc);
  if (!risk || Number(risk.leverage) !== want.leverage) {
    await readFromExchange(acc, 'futures leverage', 1, () =>
      rest.futuresLeverage({ symbol, leverage: want.leverage, recvWindow: acc.config.recvWindowMs }),
    );
    done.push(`leverage ${risk?.leverage ?? '?'} -> ${want.leverage}`);
  }
  if (!risk || !sameMarginType(risk.marginType, want.marginType)) {
    try {
      await acc.call('futures marginType', 1, () =>
        rest.futuresMarginType({ symbol, marginType: want.marginType, recvWindow: acc.config.recvWindowMs }),
      );
      done.push(`margin type ${risk?.marginType ?? '?'} -> ${want.marginType}`);
    } catch (err) {
      const c = acc.classify(err, 'futures marginType');
      // -4046: already so. -4048/-4047: a position or open orders exist; keep it and say so.
      if (c.code === '-4046') return done;
      if (c.code === '-4048' || c.code === '-4047') done.push(`margin type stays ${risk?.marginType} (${c.message})`);
      else if (c.kind === 'rejected') throw rejectedFailure(c, 'futures marginType');
      else throw retryableFailure(FailureType.Unreachable, `futures marginType failed (${c.code}): ${c.message}`);
    }
  }
  return done;
}

export function createFuturesAccountActivities(deps: FuturesAccountDeps) {
  return {
    async futuresSymbolFilters(input: { account: string; symbol: string }): Promise<SymbolFilters> {
      const acc = accountOf(deps.accounts, input.account);
      const info = await readFromExchange<Awaited<ReturnType<ReturnType<typeof futuresRest>['futuresExchangeInfo']>>>(
        acc,
        'futures exchangeInfo',
        1,
        () => futuresRest(acc).futuresExchangeInfo(),
      );
      return listedOrInvalid(() => filtersFromFuturesInfo(info, input.symbol));
    },

    async futuresReconcile(input: FuturesReconcileInput): Promise<FuturesReconcileResult> {
      const acc = accountOf(deps.accounts, input.account);
      const { symbol } = input;
      const rest = futuresRest(acc);
      const snapshots: OrderSnapshot[] = [];
      const missing: string[] = [];
      const absent: string[] = [];
      const algo = new Set(input.algoIds);
      const orders: readonly ReconcileTarget[] =
        input.orders ?? input.clientOrderIds.map((clientOrderId) => ({ clientOrderId, symbol }));
      for (const { clientOrderId, symbol: s, since } of orders) {
        const found = await futuresLookup(acc, s, clientOrderId, algo.has(clientOrderId));
        if (found) snapshots.push(found);
        // Not found: for an order of unknown outcome, proof of absence once no earlier request can still execute (as on spot).
        else if (since !== undefined && Date.now() > acc.executionDeadline(since)) absent.push(clientOrderId);
        else missing.push(clientOrderId);
      }
      const [risks, balances, open, openAlgo, tags] = await Promise.all([
        readFromExchange<RawPositionRisk[]>(acc, 'futures positionRisk', 5, () => rest.futuresPositionRisk({ symbol })),
        readFromExchange<Awaited<ReturnType<typeof rest.futuresAccountBalance>>>(acc, 'futures balance', 5, () =>
          rest.futuresAccountBalance(),
        ),
        readFromExchange<RawFuturesOrder[]>(acc, 'futures openOrders', 1, () => rest.futuresOpenOrders({ symbol })),
        readFromExchange<RawFuturesAlgo[]>(acc, 'futures openAlgoOrders', 1, () =>
          rest.futuresOpenOrders({ symbol, conditional: true }),
        ),
        deps.botTags(),
      ]);
      const risk = risks.find((r) => r.symbol === symbol && (r.positionSide ?? 'BOTH') === 'BOTH');
      const settings = await applySettings(acc, symbol, input.futures, risk);
      // The lineage's orders a discarded branch placed (a Temporal reset), orphans, an earlier incarnation's.
      const owned = await futuresLineageOrders(acc, {
        symbol,
        ownTag: input.ownTag,
        lineage: input.lineage,
        open,
        openAlgo,
        listed: new Set(orders.map((o) => o.clientOrderId)),
        runningTags: tags,
      });
      const quoteAsset = symbol.endsWith('USDT') ? 'USDT' : symbol.slice(-4);
      const free = balances.find((b) => b.asset === quoteAsset)?.availableBalance ?? '0';
      return {
        snapshots,
        missing,
        absent,
        ...owned,
        // base: the signed position the exchange holds; quote: the free margin the sizing uses.
        balances: { base: risk?.positionAmt ?? '0', quote: free },
        position: risk
          ? {
              positionAmt: risk.positionAmt,
              entryPrice: risk.entryPrice,
              leverage: input.futures.leverage,
              marginType: input.futures.marginType,
            }
          : null,
        settings,
      };
    },
  };
}

export type FuturesAccountActivities = ReturnType<typeof createFuturesAccountActivities>;
