/**
 * The torture's checks of what a bot sells against what it holds (scripts/torture.ts).
 *
 * A running bot is judged on its own state: its resting sells against its position (which the
 * torture also checks against the exchange's fills of its orders). An earlier incarnation of a
 * name (terminated, then started again: another lineage tag) leaves its open orders behind,
 * reported by the new one and not managed; those are judged against what *that* incarnation
 * holds by the exchange's own record: the fills of its orders. Never against the new run's
 * position, which they are no part of.
 */
import { tagOf } from '../core/client-ids';
import { Decimal } from '../core/decimal';
import type { BotStateView } from '../workflows/messages';

/** What the checks read of the paper exchange's venue. */
export interface VenueRecord {
  openOrders(accountId: string): ReadonlyArray<{
    readonly clientOrderId: string;
    readonly symbol: string;
    readonly side: string;
    readonly origQty: string;
    readonly executedQty: string;
  }>;
  allFills(): ReadonlyArray<{
    readonly accountId: string;
    readonly clientOrderId: string;
    readonly symbol: string;
    readonly side: string;
    readonly qty: string;
    readonly commission: string;
    readonly commissionAsset: string;
  }>;
}

/** How much more the bot's resting sells would sell than it holds (these bots only buy to enter and sell to exit). */
export function overcommitment(s: BotStateView): Decimal {
  const selling = s.openOrders
    .filter((o) => o.request.side === 'SELL' && o.request.symbol === s.symbol)
    .reduce((sum, o) => sum.plus(o.request.quantity ?? '0').minus(o.executedQty), new Decimal(0));
  return selling.minus(s.position.qty);
}

/** The problem line for a running bot that sells more than it holds, or null. */
export function overcommitmentProblem(s: BotStateView): string | null {
  const excess = overcommitment(s);
  if (!excess.gt(0)) return null;
  // A negative position: the bot has already sold more than it bought (two exits for one lot filled).
  if (new Decimal(s.position.qty).isNegative())
    return `${s.name}: sold more than it bought (position ${s.position.qty}); resting sells exceed the position by ${excess.toFixed()}`;
  return `${s.name}: resting sells exceed the position by ${excess.toFixed()}`;
}

/**
 * Earlier incarnations (lineage tags no running bot has) whose open sells on a symbol exceed what
 * their own fills left them holding there: one line each.
 */
export function incarnationOvercommitments(
  venue: VenueRecord,
  accountId: string,
  runningTags: ReadonlySet<string>,
): string[] {
  const key = (tag: string, symbol: string) => `${tag} ${symbol}`;
  const selling = new Map<string, Decimal>();
  for (const o of venue.openOrders(accountId)) {
    const tag = tagOf(o.clientOrderId);
    if (tag === null || runningTags.has(tag) || o.side !== 'SELL') continue;
    const k = key(tag, o.symbol);
    selling.set(k, (selling.get(k) ?? new Decimal(0)).plus(o.origQty).minus(o.executedQty));
  }
  if (selling.size === 0) return [];
  const held = new Map<string, Decimal>();
  for (const f of venue.allFills()) {
    const tag = tagOf(f.clientOrderId);
    if (f.accountId !== accountId || tag === null || !selling.has(key(tag, f.symbol))) continue;
    const baseFee = f.commissionAsset !== 'USDT' ? f.commission : '0';
    const k = key(tag, f.symbol);
    const before = held.get(k) ?? new Decimal(0);
    held.set(k, f.side === 'BUY' ? before.plus(f.qty).minus(baseFee) : before.minus(f.qty).minus(baseFee));
  }
  const problems: string[] = [];
  for (const [k, sells] of selling) {
    const excess = sells.minus(held.get(k) ?? 0);
    if (excess.gt(0))
      problems.push(
        `earlier incarnation ${k}: orders it left resting sell ${sells.toFixed()}, its fills left it ${(held.get(k) ?? new Decimal(0)).toFixed()} (over by ${excess.toFixed()})`,
      );
  }
  return problems;
}
