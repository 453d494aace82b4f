/**
 * The exchange activities a bot calls, chosen by its market: spot's (placeOrder, cancelOrder,
 * reconcile, getSymbolFilters) or USDⓈ-M futures' (activities/futures-*.ts). The workflow calls
 * these four through one shape, so its loop does not branch on the market. Spot bots call exactly
 * the activities they always did (their recorded histories replay unchanged).
 */
import type { Activities } from '../activities';
import type { CancelOrderInput, PlaceOrderInput } from '../activities/orders';
import type { ReconcileInput, ReconcileResult } from '../activities/market';
import type { SymbolFilters } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import type { BotState } from '../core/kernel';
import { PROTECT_TAG } from '../core/futures/protection';

export interface VenueActivities {
  placeOrder(input: PlaceOrderInput): Promise<OrderSnapshot>;
  cancelOrder(input: CancelOrderInput): ReturnType<Activities['cancelOrder']>;
  reconcile(input: ReconcileInput): Promise<ReconcileResult>;
  getSymbolFilters(input: { account: string; symbol: string }): Promise<SymbolFilters>;
}

type Acts = Pick<
  Activities,
  | 'placeOrder'
  | 'cancelOrder'
  | 'reconcile'
  | 'getSymbolFilters'
  | 'futuresPlaceOrder'
  | 'futuresCancelOrder'
  | 'futuresReconcile'
  | 'futuresSymbolFilters'
>;

/** Orders of a futures bot that live on the algo endpoint (keyed by clientAlgoId). */
function isAlgoOrder(state: BotState, clientOrderId: string): boolean {
  const o = state.orders[clientOrderId];
  return o !== undefined && (o.tag === PROTECT_TAG || o.request.type === 'STOP_MARKET');
}

export function venueActivities(state: () => BotState, orderActs: Acts, readActs: Acts): VenueActivities {
  const futures = () => state().setup.market === 'futures';
  return {
    placeOrder: (i) => (futures() ? orderActs.futuresPlaceOrder(i) : orderActs.placeOrder(i)),
    cancelOrder: (i) =>
      futures()
        ? orderActs.futuresCancelOrder({ ...i, algo: isAlgoOrder(state(), i.clientOrderId) })
        : orderActs.cancelOrder(i),
    reconcile: (i) => {
      const s = state();
      if (!futures() || !s.setup.futures) return readActs.reconcile(i);
      const ids = i.orders?.map((o) => o.clientOrderId) ?? i.clientOrderIds;
      return readActs.futuresReconcile({
        ...i,
        futures: s.setup.futures,
        algoIds: ids.filter((id) => isAlgoOrder(s, id)),
      });
    },
    getSymbolFilters: (i) => (futures() ? readActs.futuresSymbolFilters(i) : readActs.getSymbolFilters(i)),
  };
}
