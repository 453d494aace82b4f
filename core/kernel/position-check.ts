/**
 * Futures: the signed position the bot keeps (from its fills) against the exchange's
 * (`/fapi/v2/positionRisk`'s positionAmt), after each reconciliation. The exchange is the
 * authority. Fills explain the position in every ordinary case — the bot's own, and after a
 * Temporal reset the discarded branch's it adopted (core/futures/adoption.ts) — so a difference
 * is first taken as news still on its way: a fill between the reads of one reconciliation, an
 * order whose outcome awaits proof, a scan under way. Only when two reconciliations in a row, with
 * nothing awaiting proof, see the same difference (neither side moved between them) is it proven:
 * something no order of the bot's lineage explains (a liquidation, an auto-deleveraging, a trade
 * by hand on the account, orders older than any scan reaches). The bot then takes the exchange's
 * position and entry price, says so, and the protective stop follows (core/futures/protection.ts).
 *
 * Switched on with `futuresRules: 1`.
 */
import { abs, d, eq, isZero, mul, str } from '../decimal';
import { isFinalStatus } from '../orders';
import { fillsIncomplete } from '../reconcile-plan';
import type { Kernel } from './kernel';

export interface ExchangePosition {
  readonly positionAmt: string;
  readonly entryPrice: string;
}

/** Nothing the bot still waits to learn could explain a difference. */
function quiet(k: Kernel): boolean {
  // A reset's follow-up scan (core/lineage-scan.ts) may still find an order an attempt of the
  // discarded run placed after the first scan: its fills would explain the difference.
  if (k.s.scanPending === true || k.s.scanInFlight === true || k.s.exitsAwaitScan === true) return false;
  if (k.s.rescanAt !== undefined) return false;
  if (k.openOrders().some((o) => o.status === 'SUBMITTING' || o.status === 'UNKNOWN' || o.cancelRequested))
    return false;
  return !Object.values(k.s.orders).some((o) => isFinalStatus(o.status) && fillsIncomplete(o));
}

export function checkFuturesPosition(k: Kernel, exchange: ExchangePosition | null | undefined): void {
  if (k.s.futuresRules !== 1 || k.s.setup.market !== 'futures' || exchange === undefined) return;
  const amt = str(d(exchange?.positionAmt ?? '0'));
  const bot = k.s.position.qty;
  if (eq(amt, bot) || !quiet(k)) {
    delete k.s.positionDisagreement;
    return;
  }
  const seen = k.s.positionDisagreement;
  if (!seen || !eq(seen.exchange, amt) || !eq(seen.bot, bot)) {
    k.s.positionDisagreement = { exchange: amt, bot };
    return;
  }
  delete k.s.positionDisagreement;
  const entry = isZero(amt) ? '0' : str(d(exchange?.entryPrice ?? '0'));
  k.notify(
    'error',
    `position ${bot} disagrees with the exchange's ${amt} (positionRisk) in two reconciliations in a row, and no order of this bot explains it: the exchange's position is taken (entry ${entry})`,
  );
  k.s.position = { ...k.s.position, qty: amt, avgEntryPrice: entry, cost: str(mul(abs(amt), entry)) };
  if (isZero(amt)) k.s.openTrade = null;
  else if (!k.s.openTrade)
    k.s.openTrade = {
      openedAt: k.now,
      realizedAtOpen: k.s.position.realizedPnl,
      entryQty: abs(amt),
      entryCost: str(mul(abs(amt), entry)),
    };
  k.s.stats = { ...k.s.stats, positionCorrections: (k.s.stats.positionCorrections ?? 0) + 1 };
  k.updateRisk();
}
