/**
 * USDⓈ-M order activities, keyed by client ids minted in the workflow, with spot's unknown-outcome
 * protocol (activities/orders.ts): **before anything is sent again, look the order up by its
 * client id** (origClientOrderId, or clientAlgoId for the protective STOP_MARKET on the algo
 * endpoint). On futures this matters more than on spot: -4116 refuses a duplicate id only while
 * the first order is open, so a MARKET order whose answer was lost, once FILLED, would be
 * accepted again and open a second leveraged position. A lost MARKET is found FILLED, never resent.
 *
 * One attempt: (1) an earlier attempt may have sent: look up; found = adopt; not found before the
 * execution deadline = retry later (lookups are eventually consistent); not found after it = the
 * earlier request is dead, send again. (2) send: accepted = done; -4116 = an open order has this
 * id: look it up and adopt it; rejected = non-retryable; unknown (-1007, timeout, 5xx, reset) =
 * retryable, the next attempt starts at (1).
 */
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo } from '@temporalio/activity';
import { isPositive } from '../core/decimal';
import type { Fill, OrderRequest, OrderSnapshot } from '../core/orders';
import { FailureType, retryableFailure } from './errors';
import { refuseEntryWhileOpen } from './circuit-breaker';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';
import { accountOf } from './exchange-reads';
import type { CancelOrderInput, PlaceOrderInput } from './orders';
import type { FuturesRest, RawFuturesAlgo, RawFuturesOrder } from './futures-types';
import {
  cancelFailure,
  duplicateNotVisibleFailure,
  lookupFailure,
  notVisibleYetFailure,
  rememberSend,
  sendFailure,
  sendOfEarlierAttempts,
} from './order-protocol';
import { fillFromFuturesTrade, isAlgoRequest, snapshotFromAlgo, snapshotFromFuturesOrder } from './futures-mapping';

export interface FuturesOrderDeps {
  readonly accounts: AccountRegistry;
  readonly now?: () => number;
}

/** Kernel ids of protective stops are algo ids: the lookup says which endpoint holds an id. */
export interface FuturesLookupInput extends CancelOrderInput {
  readonly algo?: boolean;
}

const WEIGHT = { order: 1, getOrder: 1, cancel: 1, userTrades: 5 } as const;

export const futuresRest = (acc: ExchangeAccount): FuturesRest => acc.rest as unknown as FuturesRest;

/** The fills of one futures order (userTrades by orderId). */
export async function futuresFills(acc: ExchangeAccount, symbol: string, orderId: number): Promise<Fill[]> {
  const trades = await acc.call('futures userTrades', WEIGHT.userTrades, (r) =>
    (r as unknown as FuturesRest).futuresUserTrades({ symbol, orderId }),
  );
  return trades.filter((t) => Number(t.orderId) === orderId).map(fillFromFuturesTrade);
}

/** Look an order (or algo order) up by client id; null when the exchange says it does not exist (yet). */
export async function futuresLookup(
  acc: ExchangeAccount,
  symbol: string,
  clientOrderId: string,
  algo: boolean,
): Promise<OrderSnapshot | null> {
  let raw: RawFuturesOrder | RawFuturesAlgo;
  try {
    const key = algo ? { clientAlgoId: clientOrderId } : { origClientOrderId: clientOrderId };
    raw = await acc.call('futures getOrder', WEIGHT.getOrder, (r) =>
      (r as unknown as FuturesRest).futuresGetOrder({ symbol, ...key }),
    );
  } catch (err) {
    const c = acc.classify(err, 'futures getOrder');
    if (c.kind === 'notFound') return null;
    throw lookupFailure(c, clientOrderId);
  }
  return snapshotWithFills(acc, symbol, raw);
}

async function snapshotWithFills(
  acc: ExchangeAccount,
  symbol: string,
  raw: RawFuturesOrder | RawFuturesAlgo,
): Promise<OrderSnapshot> {
  if ('algoId' in raw) {
    const actual = Number(raw.actualOrderId || 0);
    return snapshotFromAlgo(
      raw,
      actual > 0 && isPositive(raw.executedQty ?? '0') ? await futuresFills(acc, symbol, actual) : [],
    );
  }
  return snapshotFromFuturesOrder(
    raw,
    isPositive(raw.executedQty) ? await futuresFills(acc, symbol, Number(raw.orderId)) : [],
  );
}

/** The parameters binance-api-node sends: always our id (newClientOrderId or clientAlgoId), RESULT answers. */
export function futuresOrderParams(
  r: OrderRequest,
  clientOrderId: string,
  recvWindow: number,
): Record<string, string | number> {
  const p: Record<string, string | number> = { symbol: r.symbol, side: r.side, type: r.type, recvWindow };
  if (isAlgoRequest(r)) {
    p.clientAlgoId = clientOrderId;
    // Triggered by the mark price, as liquidation is: a wick in the last price does not close the position.
    p.workingType = 'MARK_PRICE';
    if (r.stopPrice !== undefined) p.stopPrice = r.stopPrice;
  } else {
    p.newClientOrderId = clientOrderId;
    p.newOrderRespType = 'RESULT';
    if (r.price !== undefined) p.price = r.price;
    if (r.timeInForce !== undefined) p.timeInForce = r.timeInForce;
  }
  if (r.quantity !== undefined && !r.closePosition) p.quantity = r.quantity;
  if (r.closePosition) p.closePosition = 'true';
  else if (r.reduceOnly) p.reduceOnly = 'true';
  return p;
}

export function createFuturesOrderActivities(deps: FuturesOrderDeps) {
  const now = deps.now ?? Date.now;

  /**
   * Where earlier attempts left off. A first attempt looks up first too when an earlier run may
   * have sent the order: a Temporal reset re-dispatches a pending placement in the new run at
   * attempt 1 (`scheduledInRun` is another run), or the workflow cannot detect resets
   * (`lookupFirst`). On futures this is what keeps a MARKET the old run's attempt already filled
   * (no longer open, so no -4116) from executing a second time.
   */
  function previousSend(input: PlaceOrderInput): number | null {
    const info = activityInfo();
    if (info.attempt > 1) return sendOfEarlierAttempts();
    const carried =
      input.lookupFirst === true ||
      (input.scheduledInRun !== undefined && input.scheduledInRun !== info.workflowExecution?.runId);
    return carried ? now() : null;
  }

  return {
    async futuresPlaceOrder(input: PlaceOrderInput): Promise<OrderSnapshot> {
      const acc = accountOf(deps.accounts, input.account);
      const { request, clientOrderId } = input;
      const algo = isAlgoRequest(request);
      const lastSendAt = previousSend(input);
      if (lastSendAt !== null) {
        const found = await futuresLookup(acc, request.symbol, clientOrderId, algo);
        if (found) return found;
        const deadline = acc.executionDeadline(lastSendAt);
        const t = now();
        if (t < deadline) {
          rememberSend(lastSendAt);
          throw notVisibleYetFailure(clientOrderId, deadline, t);
        }
      }
      refuseEntryWhileOpen(acc.breaker, input.purpose, `futures order ${clientOrderId}`);
      const sentAt = now();
      rememberSend(sentAt);
      try {
        const raw = await acc.call(algo ? 'futures algoOrder' : 'futures order', WEIGHT.order, (r) =>
          (r as unknown as FuturesRest).futuresOrder(
            futuresOrderParams(request, clientOrderId, acc.config.recvWindowMs),
          ),
        );
        return await snapshotWithFills(acc, request.symbol, raw);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const c = acc.classify(err, 'futures order');
        switch (c.kind) {
          case 'duplicate': {
            // -4116: an open order already carries this id; it is ours from an earlier attempt.
            const found = await futuresLookup(acc, request.symbol, clientOrderId, algo);
            if (found) return found;
            throw duplicateNotVisibleFailure(clientOrderId, 'reported as duplicate (-4116)', sentAt);
          }
          default:
            throw sendFailure(c, `futures order ${clientOrderId}`, { lastSendAt, sentAt });
        }
      }
    },

    /** Cancel by client id; "unknown order" means it already ended: look it up. */
    async futuresCancelOrder(input: FuturesLookupInput): Promise<OrderSnapshot> {
      const acc = accountOf(deps.accounts, input.account);
      const { symbol, clientOrderId } = input;
      const algo = input.algo ?? false;
      try {
        const key = algo ? { clientAlgoId: clientOrderId } : { origClientOrderId: clientOrderId };
        const raw = await acc.call('futures cancelOrder', WEIGHT.cancel, (r) =>
          (r as unknown as FuturesRest).futuresCancelOrder({ symbol, ...key, recvWindow: acc.config.recvWindowMs }),
        );
        // The algo cancel answers with a code and the id only: read the order back.
        if (algo || !('status' in raw))
          return (
            (await futuresLookup(acc, symbol, clientOrderId, algo)) ??
            snapshotFromAlgo({
              ...(raw as RawFuturesAlgo),
              clientAlgoId: clientOrderId,
              symbol,
              side: '',
              algoStatus: 'CANCELED',
            })
          );
        return await snapshotWithFills(acc, symbol, raw);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const c = acc.classify(err, 'futures cancelOrder');
        if (c.kind === 'notFound') {
          const found = await futuresLookup(acc, symbol, clientOrderId, algo);
          if (found) return found;
          throw retryableFailure(
            FailureType.NotYetVisible,
            `cancel of ${clientOrderId}: the exchange knows no such order yet`,
            1_000,
          );
        }
        throw cancelFailure(c, clientOrderId);
      }
    },

    async futuresGetOrder(input: FuturesLookupInput): Promise<OrderSnapshot | null> {
      return futuresLookup(
        accountOf(deps.accounts, input.account),
        input.symbol,
        input.clientOrderId,
        input.algo ?? false,
      );
    },
  };
}

export type FuturesOrderActivities = ReturnType<typeof createFuturesOrderActivities>;
