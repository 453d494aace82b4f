/**
 * The sells a reset's copy rules look among (core/adoption.ts `adoptedTwins`, core/adopted-exits.ts
 * `duplicatesOfExecutedExits`). Pure. One definition, so both rules agree on what "placed by the
 * current branch since the reset" means.
 */
import { parseClientOrderId } from './client-ids';
import { type OrderRecord, awaitsProof } from './orders';

/** A sell on `symbol`. */
export const isSellOf =
  (symbol: string) =>
  (o: OrderRecord): boolean =>
    o.request.symbol === symbol && o.request.side === 'SELL';

/**
 * Sells the current branch placed itself (not adopted, its branch token in the id) since `since`,
 * whose placement has its answer (not awaiting proof): the candidates for a copy of an adopted sell.
 */
export function currentBranchSells(
  orders: readonly OrderRecord[],
  view: { readonly branch: string; readonly symbol: string; readonly since: number },
): OrderRecord[] {
  const isSell = isSellOf(view.symbol);
  return orders.filter(
    (o) =>
      !o.adopted &&
      isSell(o) &&
      o.createdAt >= view.since &&
      parseClientOrderId(o.clientOrderId)?.branch === view.branch &&
      !awaitsProof(o.status),
  );
}
