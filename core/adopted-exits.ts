/**
 * One exit per decision after a Temporal reset. Pure.
 *
 * A reset makes the new branch of a bot's history take again decisions the discarded branch took:
 * learning a fill again (by the placement's answer, a lookup, the stream), the strategy asks again
 * for the take-profit the discarded branch already placed — and that one may be resting or may
 * have executed already. Adopted (core/adoption.ts), it is in the bot's state; sent again, the bot
 * would sell the lot twice (on an account holding more than the bot's lot, the exchange accepts it).
 *
 * - **Asked for after the adoption**: an exit the bot's holdings cannot cover (what it holds minus
 *   what its resting sells already sell) while an adopted order of the discarded branch with the
 *   very same request exists (symbol, side, type, quantity, prices) is that decision, already on
 *   the exchange: the strategy's order *becomes* the adopted one (its tag and reason, the
 *   exchange's status and fills) and nothing is sent. A decision the holdings cover is a decision
 *   of its own, even with an identical request (two lots bought at one price), and is placed.
 * - **Released together after the scan** (core/reset-exit-hold.ts): the holdings must cover this
 *   exit *and the held exits after it*. Taken one at a time, the first exit of a price two lots
 *   share is covered by another lot's holdings (a third lot, bought at another price), goes out,
 *   and that lot's own exit then finds no twin and goes out too: the lot the adopted twin sold is
 *   sold twice (the short torture, `bot-torture-6`). Looking ahead, the exits the holdings cannot
 *   all cover take the twins there are, and the rest are placed.
 * - **Placed before the adoption** (the scan came later): an adopted copy still resting is
 *   cancelled (core/adoption.ts `adoptedTwins`); an adopted copy that already executed leaves the
 *   current branch's resting, untouched copy to cancel — the strategy sees it CANCELED, the lot
 *   having been sold by the discarded branch's order.
 */
import { sameRequest } from './adoption';
import { currentBranchSells, isSellOf } from './branch-sells';
import { type Dec, add, d, gt, isPositive, sub, sum } from './decimal';
import type { BotState } from './kernel';
import type { PlaceIntent } from './strategy';
import { type OrderRecord, type OrderRequest, isFinalStatus } from './orders';

/** What the bot holds on its symbol beyond what its resting sells already sell. */
function uncommitted(orders: readonly OrderRecord[], symbol: string, positionQty: Dec): Dec {
  const resting = orders.filter((o) => isSellOf(symbol)(o) && !isFinalStatus(o.status) && !o.cancelRequested);
  const selling = sum(resting.map((o) => sub(o.request.quantity ?? '0', o.executedQty)));
  return sub(positionQty, selling);
}

/**
 * The adopted order an exit just asked for stands for, or null (send it). `stillToCome`: what the
 * exits released with this one and placed after it sell (core/kernel/intents.ts `releaseExits`), '0' otherwise.
 */
export function adoptedExitToBind(s: BotState, request: OrderRequest, stillToCome: Dec = '0'): OrderRecord | null {
  if (
    s.resetAt == null ||
    request.side !== 'SELL' ||
    request.symbol !== s.setup.symbol ||
    request.quantity === undefined
  )
    return null;
  const all = Object.values(s.orders);
  if (!gt(add(request.quantity, stillToCome), uncommitted(all, s.setup.symbol, s.position.qty))) return null;
  const candidates = all.filter(
    (o) =>
      o.adopted === true &&
      !o.cancelRequested &&
      (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED' || o.status === 'FILLED') &&
      sameRequest(o.request, request),
  );
  return candidates.sort((a, b) => a.createdAt - b.createdAt)[0] ?? null;
}

/** The adopted order as the strategy's own: its tag, purpose and reason; the exchange's status and fills as they are. */
export function boundRecord(
  adopted: OrderRecord,
  intent: {
    readonly tag: string;
    readonly purpose: 'entry' | 'exit';
    readonly reason?: string;
    readonly facts?: OrderRecord['facts'];
  },
  now: number,
): OrderRecord {
  const { adopted: _adopted, ...rest } = adopted;
  return {
    ...rest,
    tag: intent.tag,
    purpose: intent.purpose,
    reason: `${intent.reason ? `${intent.reason}; ` : ''}already placed by a discarded branch of this bot (Temporal reset): taken as this decision, not sent again`,
    ...(intent.facts ? { facts: intent.facts } : {}),
    bound: true,
    updatedAt: Math.max(adopted.updatedAt, now),
  };
}

/**
 * Resting, untouched sells of the current branch (placed since the reset) that repeat an adopted
 * sell which already executed, while the bot's resting sells exceed what it holds: to cancel.
 */
export function duplicatesOfExecutedExits(
  orders: Readonly<Record<string, OrderRecord>>,
  view: {
    readonly branch: string | undefined;
    readonly symbol: string;
    readonly positionQty: Dec;
    readonly since: number;
  },
): OrderRecord[] {
  if (view.branch === undefined) return [];
  const all = Object.values(orders);
  const isSell = isSellOf(view.symbol);
  const executed = all.filter(
    (o) =>
      o.adopted === true &&
      isSell(o) &&
      isPositive(o.executedQty) &&
      (o.status === 'FILLED' || o.status === 'PARTIALLY_FILLED'),
  );
  if (executed.length === 0) return [];
  let excess = d(uncommitted(all, view.symbol, view.positionQty)).negated();
  if (!excess.greaterThan(0)) return [];
  const current = currentBranchSells(all, { branch: view.branch, symbol: view.symbol, since: view.since }).filter(
    (o) => !isFinalStatus(o.status) && !o.cancelRequested && !isPositive(o.executedQty),
  );
  const copies: OrderRecord[] = [];
  for (const a of executed.sort((x, y) => x.createdAt - y.createdAt)) {
    if (!excess.greaterThan(0)) break;
    const i = current.findIndex((b) => sameRequest(a.request, b.request));
    if (i < 0) continue;
    const [copy] = current.splice(i, 1);
    copies.push(copy!);
    excess = excess.minus(copy!.request.quantity ?? '0');
  }
  return copies;
}

/** What the held exits from `from` on sell (all on the bot's symbol: core/reset-exit-hold.ts holds no other). */
export function sellsStillToCome(exits: readonly PlaceIntent[], from: number): Dec {
  return sum(exits.slice(from).flatMap((e) => (e.side === 'SELL' ? [e.quantity ?? '0'] : [])));
}
