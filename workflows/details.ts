/**
 * What the Temporal Web UI shows of a bot beyond its search attributes: the current details
 * (status, position, realised/unrealised PnL, open orders, last decision and its reason; the SDK's
 * `setCurrentDetails`, served through the `__temporal_workflow_metadata` query the UI calls) and a
 * one-line summary on every order activity, so the event history reads as a trade log. The static
 * summary is set by the client at start (client/bots.ts). Runs in the workflow sandbox.
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CancelOrderInput, PlaceOcoInput, PlaceOrderInput } from '../activities/orders';
import { cancelSummary, currentDetailsOf, ocoSummary, placeSummary, staticSummaryOf } from '../core/digest';
import { type BotState, openOrders } from '../core/kernel';
import type { OrderRecord } from '../core/orders';

/** Set the current details from the state; cheap (no history event, no command). */
export function showCurrentDetails(state: BotState): void {
  const text = currentDetailsOf(
    {
      title: staticSummaryOf(state.setup),
      status: state.status,
      symbol: state.setup.symbol,
      position: state.position,
      lastPrice: state.lastPrice,
      openOrders: openOrders(state),
      strategyState: state.strategy,
      stopReason: state.stopReason,
    },
    Object.values(state.orders),
  );
  if (text !== wf.getCurrentDetails()) wf.setCurrentDetails(text);
}

type Summariser = (input: never) => string;

/**
 * The order activities, each call carrying its summary ("BUY 0.01 ETHUSDT MARKET — lot-1 entry:
 * ..."). Only user metadata is added: the commands, their ids and inputs are unchanged, so
 * recorded histories replay as before.
 */
export function withOrderSummaries<A extends wf.ActivityInterfaceFor<Activities>>(
  acts: A,
  orderOf: (clientOrderId: string) => OrderRecord | undefined,
): A {
  const summarisers: Record<string, Summariser> = {
    placeOrder: (i: PlaceOrderInput) => placeSummary(i.request, orderOf(i.clientOrderId)),
    futuresPlaceOrder: (i: PlaceOrderInput) => placeSummary(i.request, orderOf(i.clientOrderId)),
    futuresCancelOrder: (i: CancelOrderInput) => cancelSummary(i.clientOrderId, i.symbol, orderOf(i.clientOrderId)),
    placeOco: (i: PlaceOcoInput) => ocoSummary(i.request, orderOf(i.aboveClientOrderId)),
    cancelOrder: (i: CancelOrderInput) => cancelSummary(i.clientOrderId, i.symbol, orderOf(i.clientOrderId)),
  };
  return new Proxy(acts, {
    get(target, prop, receiver) {
      const fn = Reflect.get(target, prop, receiver) as wf.ActivityFunctionWithOptions<
        (input: unknown) => Promise<unknown>
      >;
      const summarise = typeof prop === 'string' ? summarisers[prop] : undefined;
      if (!summarise) return fn;
      return (input: never) => fn.executeWithOptions({ summary: summarise(input) }, [input]);
    },
  });
}
