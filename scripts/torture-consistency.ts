/**
 * The torture's settle checks (scripts/torture.ts): does each bot agree with the exchange (status,
 * work in flight, open orders, fills, position, what it sells against what it holds), is every open
 * order known to exactly one bot, and do the balances equal the initial amounts moved by the fills.
 */
import { Decimal } from '../core/decimal';
import type { startPaperExchange } from '../exchange';
import type { BotStateView } from '../workflows/messages';
import { overcommitmentProblem } from './torture-checks';

export type Exchange = Awaited<ReturnType<typeof startPaperExchange>>;

/** Why a bot does not (yet) agree with the exchange; empty when it does. */
export function disagreements(s: BotStateView, exchange: Exchange): string[] {
  const issues = liveness(s);
  const mine = (id: string) => id.startsWith(`${s.clientIdTag}-`);
  const venueOpen = exchange.venue
    .openOrders('paper')
    .filter((o) => mine(o.clientOrderId))
    .map((o) => o.clientOrderId)
    .sort();
  const botOpen = s.openOrders.map((o) => o.clientOrderId).sort();
  if (venueOpen.join() !== botOpen.join())
    issues.push(`${s.name}: open orders differ (exchange ${venueOpen.length}, bot ${botOpen.length})`);
  const fills = exchange.venue.allFills().filter((f) => f.accountId === 'paper' && mine(f.clientOrderId));
  if (fills.length !== s.stats.fills)
    issues.push(`${s.name}: exchange has ${fills.length} fills, bot ${s.stats.fills}`);
  let qty = new Decimal(0);
  for (const f of fills) {
    const baseFee = f.commissionAsset !== 'USDT' ? f.commission : '0';
    qty = f.side === 'BUY' ? qty.plus(f.qty).minus(baseFee) : qty.minus(f.qty).minus(baseFee);
  }
  if (!qty.equals(s.position.qty))
    issues.push(`${s.name}: position ${s.position.qty}, fills add up to ${qty.toFixed()}`);
  const excess = overcommitmentProblem(s);
  if (excess) issues.push(excess);
  return issues;
}

/** Running (or paused), caught up, nothing in flight or of unknown outcome: spot and futures bots alike. */
export function liveness(s: BotStateView): string[] {
  const issues: string[] = [];
  if (s.status !== 'RUNNING' && s.status !== 'PAUSED')
    issues.push(`${s.name}: status ${s.status}${s.blocked ? ` (${s.blocked.reason})` : ''}`);
  if (s.activitiesInFlight > 0 || s.pendingEvents > 0)
    issues.push(`${s.name}: ${s.activitiesInFlight} activities in flight, ${s.pendingEvents} events pending`);
  if (s.openOrders.some((o) => o.status === 'SUBMITTING' || o.status === 'UNKNOWN' || o.cancelRequested))
    issues.push(`${s.name}: orders still being submitted, cancelled or of unknown outcome`);
  if (s.lastEventTime === null || Date.now() - s.lastEventTime > 15_000)
    issues.push(`${s.name}: no event handled for ${s.lastEventTime ? Date.now() - s.lastEventTime : '∞'} ms`);
  return issues;
}

/** Every order open on the exchange is known to exactly one bot: managed by it, or reported as left by an earlier incarnation. */
export function ownershipProblems(states: readonly BotStateView[], exchange: Exchange): string[] {
  const problems: string[] = [];
  for (const o of exchange.venue.openOrders('paper')) {
    const knownBy = states.filter(
      (s) => s.openOrders.some((x) => x.clientOrderId === o.clientOrderId) || s.inherited.includes(o.clientOrderId),
    );
    if (knownBy.length !== 1)
      problems.push(
        `exchange: open order ${o.clientOrderId} known to ${knownBy.length} bots (${knownBy.map((s) => s.name).join(', ')})`,
      );
  }
  return problems;
}

/** Every balance equals its initial amount plus what the fills moved, minus the fees. */
export function balanceProblems(exchange: Exchange, initial: Readonly<Record<string, string>>): string[] {
  const expected = new Map<string, Decimal>(Object.entries(initial).map(([a, v]) => [a, new Decimal(v)]));
  const add = (asset: string, v: Decimal) => expected.set(asset, (expected.get(asset) ?? new Decimal(0)).plus(v));
  for (const f of exchange.venue.allFills().filter((x) => x.accountId === 'paper')) {
    const base = f.symbol.replace(/USDT$/, '');
    const sign = f.side === 'BUY' ? 1 : -1;
    add(base, new Decimal(f.qty).times(sign));
    add('USDT', new Decimal(f.quoteQty).times(-sign));
    add(f.commissionAsset, new Decimal(f.commission).negated());
  }
  const problems: string[] = [];
  for (const [asset, want] of expected) {
    const b = exchange.venue.balance('paper', asset);
    const have = new Decimal(b.free).plus(b.locked);
    if (!have.equals(want))
      problems.push(`balance ${asset} is ${have.toFixed()} but initial + fills - fees = ${want.toFixed()}`);
  }
  return problems;
}
