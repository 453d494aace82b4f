/**
 * Order activities keyed by client order ids minted in the workflow. Exactly-once effects rest on
 * one rule: **before anything is sent again, look the order up by its client id**, because Binance
 * accepts the id of a filled order again (only open orders are checked for duplicates).
 *
 * Retries are Temporal's (see the retry policies in workflows/activity-options.ts), never loops
 * here. What one attempt does:
 *
 *   1. If an earlier attempt may have sent the request, look the order up first.
 *      - found: adopt it (the order exists; nothing is sent).
 *      - not found (-2013) while the earlier request could still execute (its timestamp +
 *        recvWindow + the exchange's backend timeout + margin): fail retryably and look again on
 *        the next attempt — lookups are eventually consistent, -2013 is not proof of absence.
 *      - not found after that deadline: the earlier request is dead; send again with the same id.
 *   2. Send. Accepted: done. -2010 duplicate: the order is open; adopt it. Definitive rejection:
 *      non-retryable failure. Unknown outcome: fail retryably; the next attempt starts at 1.
 *
 * The latest possible send time travels between attempts in the heartbeat details. When they are
 * missing (a crashed attempt never reported), the current attempt's schedule time is used: every
 * earlier send happened before it, so the deadline can only move later, never earlier.
 *
 * A first attempt may follow a send too: a Temporal reset re-dispatches the pending activities of
 * the run it discards (at attempt 1, in the new run), and a bot that continued as new with a
 * placement in flight resumes it. Such attempts start at step 1 with "sent until now".
 *
 * Only proof finalises an order: a failure is marked `refused` only when the exchange refused
 * this very request, `neverSent` only when no request for the id ever left; every other failure
 * (a lookup refused, our budget, an answer we cannot read) leaves the outcome unknown.
 */
import { ApplicationFailure } from '@temporalio/common';
import { activityInfo } from '@temporalio/activity';
import { type Dec, isPositive } from '../core/decimal';
import type { Fill, OcoRequest, OrderRequest, OrderSnapshot } from '../core/orders';
import type { RawOrder, RawOrderList } from './binance-types';
import { signedRequest } from './signed-rest';
import { FailureType, localFailure, rejectedFailure, retryableFailure } from './errors';
import { refuseEntryWhileOpen } from './circuit-breaker';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';
import { fillFromTrade, snapshotFromOrder } from './mapping';
import { mismatch } from './order-match';
import type { PlacementAnswers } from './placement-answers';
import {
  cancelFailure,
  duplicateNotVisibleFailure,
  lookupFailure,
  notSentFailure,
  notVisibleYetFailure,
  rememberSend,
  sendFailure,
  sendOfEarlierAttempts,
} from './order-protocol';

/** How the workflow scheduled a placement (see the header): absent in inputs recorded by older code. */
interface PlacementContext {
  /** The run that scheduled it; another run executing it means a reset re-dispatched it. */
  readonly scheduledInRun?: string;
  /** An earlier run may have sent it, or the workflow cannot detect resets: look up before the first send. */
  readonly lookupFirst?: boolean;
}

export interface PlaceOrderInput extends PlacementContext {
  readonly account: string;
  readonly clientOrderId: string;
  readonly request: OrderRequest;
  /** Entries are held back while the account's circuit breaker is open; exits always go. */
  readonly purpose?: 'entry' | 'exit';
}

export interface PlaceOcoInput extends PlacementContext {
  readonly account: string;
  readonly listClientOrderId: string;
  readonly aboveClientOrderId: string;
  readonly belowClientOrderId: string;
  readonly request: OcoRequest;
  readonly purpose?: 'entry' | 'exit';
}

/** A cancel that found no such order, looked up too, on several attempts: reported, not retried forever. */
export interface CancelMissing {
  readonly clientOrderId: string;
  readonly missing: true;
  readonly message: string;
}

/** Attempts of a cancel that finds no order before it reports the order missing. */
const CANCEL_MISSING_AFTER_ATTEMPTS = 3;

export interface CancelOrderInput {
  readonly account: string;
  readonly symbol: string;
  readonly clientOrderId: string;
}

export interface OcoResult {
  readonly listClientOrderId: string;
  readonly snapshots: readonly OrderSnapshot[];
}

export interface OrderActivityDeps {
  readonly accounts: AccountRegistry;
  /** This worker's placement answers, for the stream service to skip the reports they cover. */
  readonly answers?: PlacementAnswers;
  /** Clock, injectable for tests of the deadline logic. */
  readonly now?: () => number;
}

const WEIGHT = { order: 1, getOrder: 4, cancel: 1, myTrades: 20, orderList: 4, oco: 2 } as const;

export function createOrderActivities(deps: OrderActivityDeps) {
  const now = deps.now ?? Date.now;

  /** The account, or a failure that says whether a request for the id may have left before. */
  function account(name: string, lastSendAt: number | null = null): ExchangeAccount {
    try {
      return deps.accounts.get(name);
    } catch (err) {
      throw localFailure(FailureType.InvalidRequest, (err as Error).message, lastSendAt === null);
    }
  }

  /** Where the previous attempts left off; conservative when they did not say. */
  function previousSend(context: PlacementContext = {}): number | null {
    const info = activityInfo();
    if (info.attempt <= 1) {
      const carried =
        context.lookupFirst === true ||
        (context.scheduledInRun !== undefined && context.scheduledInRun !== info.workflowExecution?.runId);
      return carried ? now() : null;
    }
    return sendOfEarlierAttempts();
  }

  async function fetchFills(acc: ExchangeAccount, symbol: string, orderId: number): Promise<Fill[]> {
    const trades = await acc.call('myTrades', WEIGHT.myTrades, (r) => r.myTrades({ symbol, orderId }));
    return trades.filter((t) => Number(t.orderId) === orderId).map(fillFromTrade);
  }

  /**
   * Look an order up by client id; null when the exchange says it does not exist (yet). With
   * `expected`, an order that is not that request is a collision (another owner's), never ours.
   */
  async function lookup(
    acc: ExchangeAccount,
    symbol: string,
    clientOrderId: string,
    expected?: OrderRequest,
  ): Promise<OrderSnapshot | null> {
    let raw: RawOrder;
    try {
      raw = await acc.call('getOrder', WEIGHT.getOrder, (r) =>
        r.getOrder({ symbol, origClientOrderId: clientOrderId }),
      );
    } catch (err) {
      const c = acc.classify(err);
      if (c.kind === 'notFound') return null;
      throw lookupFailure(c, clientOrderId);
    }
    const differs = expected ? mismatch(expected, raw) : null;
    if (differs) {
      throw ApplicationFailure.create({
        type: FailureType.ClientIdCollision,
        nonRetryable: true,
        message: `${clientOrderId} is taken by another order: ${differs}`,
        details: [{ code: 'COLLISION', message: `${clientOrderId} is taken by another order: ${differs}` }],
      });
    }
    const fills = isPositive(raw.executedQty) ? await fetchFills(acc, symbol, Number(raw.orderId)) : [];
    return readable(() => snapshotFromOrder(raw, fills), `lookup of ${clientOrderId}`);
  }

  /** An answer we cannot read after a possible send: the outcome is unknown (never a rejection). */
  function readable<T>(read: () => T, what: string): T {
    try {
      return read();
    } catch (err) {
      throw localFailure(
        FailureType.UnreadableAnswer,
        `${what}: the exchange's answer could not be read (${(err as Error).message}); outcome unknown`,
        false,
      );
    }
  }

  /**
   * Steps 1 of the protocol for any order-like request: returns the adopted order if an earlier
   * send is visible, or null when it is proven dead (or none happened) and sending is safe.
   */
  async function resolveEarlierSend(
    acc: ExchangeAccount,
    symbol: string,
    clientOrderId: string,
    lastSendAt: number | null,
    expected?: OrderRequest,
  ): Promise<OrderSnapshot | null> {
    if (lastSendAt === null) return null;
    const found = await lookup(acc, symbol, clientOrderId, expected);
    if (found) return found;
    const deadline = acc.executionDeadline(lastSendAt);
    const t = now();
    if (t < deadline) {
      rememberSend(lastSendAt);
      throw notVisibleYetFailure(clientOrderId, deadline, t);
    }
    return null;
  }

  return {
    async placeOrder(input: PlaceOrderInput): Promise<OrderSnapshot> {
      const { request, clientOrderId } = input;
      const lastSendAt = previousSend(input);
      const acc = account(input.account, lastSendAt);
      const adopted = await resolveEarlierSend(acc, request.symbol, clientOrderId, lastSendAt, request);
      if (adopted) return adopted;
      refuseEntryWhileOpen(acc.breaker, input.purpose, `order ${clientOrderId}`);

      const sentAt = now();
      rememberSend(sentAt);
      deps.answers?.begin(input.account, clientOrderId);
      let raw: RawOrder;
      try {
        raw = await acc.call('order', WEIGHT.order, (r) =>
          r.order(orderParams(request, clientOrderId, acc.config.recvWindowMs)),
        );
      } catch (err) {
        deps.answers?.settle(input.account, clientOrderId, null);
        const c = acc.classify(err);
        switch (c.kind) {
          case 'duplicate': {
            // An open order already carries this id: ours from an earlier attempt if it is this
            // request; another owner's otherwise (a collision, never adopted).
            const found = await lookup(acc, request.symbol, clientOrderId, request);
            if (found) return found;
            throw duplicateNotVisibleFailure(clientOrderId, 'reported as duplicate', sentAt);
          }
          default:
            throw sendFailure(c, `order ${clientOrderId}`, { lastSendAt, sentAt });
        }
      }
      let answer: OrderSnapshot | null = null;
      try {
        answer = readable(() => snapshotFromOrder(raw), `order ${clientOrderId}`);
        return answer;
      } finally {
        deps.answers?.settle(input.account, clientOrderId, answer);
      }
    },

    async placeOco(input: PlaceOcoInput): Promise<OcoResult> {
      const { request } = input;
      const lastSendAt = previousSend(input);
      const acc = account(input.account, lastSendAt);
      // The legs carry their own client ids: finding either proves the list was placed.
      const adopted = await resolveEarlierSend(acc, request.symbol, input.aboveClientOrderId, lastSendAt);
      if (adopted) {
        const other = await lookup(acc, request.symbol, input.belowClientOrderId);
        return { listClientOrderId: input.listClientOrderId, snapshots: other ? [adopted, other] : [adopted] };
      }
      refuseEntryWhileOpen(acc.breaker, input.purpose, `OCO ${input.listClientOrderId}`);
      const sentAt = now();
      rememberSend(sentAt);
      try {
        // A leg trailing without a stop price needs the current endpoint; otherwise the library's.
        const trailingOnly = [request.above, request.below].some(
          (l) => l.trailingDelta !== undefined && l.stopPrice === undefined,
        );
        const raw = trailingOnly
          ? await acc.call('orderList/oco', WEIGHT.oco, () =>
              signedRequest<RawOrderList>(
                acc.config,
                'POST',
                '/api/v3/orderList/oco',
                orderListOcoParams(input, acc.config.recvWindowMs),
              ),
            )
          : await acc.call('orderOco', WEIGHT.oco, (r) => r.orderOco(ocoParams(input, acc.config.recvWindowMs)));
        // Each leg's snapshot from the answer, else looked up; a leg neither shows stays unproven
        // (the bot marks it UNKNOWN and reconciliation resolves it).
        const reported = readable(
          () => (raw.orderReports ?? []).map((o) => snapshotFromOrder(o)),
          `OCO ${input.listClientOrderId}`,
        );
        const snapshots: OrderSnapshot[] = [];
        for (const id of [input.aboveClientOrderId, input.belowClientOrderId]) {
          const leg =
            reported.find((x) => x.clientOrderId === id) ?? (await lookup(acc, request.symbol, id).catch(() => null));
          if (leg) snapshots.push(leg);
        }
        return { listClientOrderId: input.listClientOrderId, snapshots };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const c = acc.classify(err);
        if (c.kind === 'rejected') throw rejectedFailure(c, `OCO ${input.listClientOrderId}`, { refused: true });
        if (c.kind === 'notSent') {
          rememberSend(lastSendAt);
          throw notSentFailure(c, `OCO ${input.listClientOrderId} not sent (${c.code})`);
        }
        rememberSend(sentAt);
        throw retryableFailure(
          FailureType.OutcomeUnknown,
          `OCO ${input.listClientOrderId}: outcome unknown (${c.code}): ${c.message}`,
          250,
        );
      }
    },

    /**
     * Cancel by client id and return the order's final snapshot. Sending a cancel twice is harmless,
     * so unknown outcomes are simply retried; "unknown order" means it already ended: look it up.
     */
    async cancelOrder(input: CancelOrderInput): Promise<OrderSnapshot | CancelMissing> {
      const acc = account(input.account);
      const { symbol, clientOrderId } = input;
      try {
        const raw = await acc.call('cancelOrder', WEIGHT.cancel, (r) =>
          r.cancelOrder({ symbol, origClientOrderId: clientOrderId, recvWindow: acc.config.recvWindowMs }),
        );
        const snapshot = readable(
          () => snapshotFromOrder({ ...raw, clientOrderId: raw.origClientOrderId ?? clientOrderId }),
          `cancel of ${clientOrderId}`,
        );
        if (!isPositive(snapshot.executedQty)) return snapshot;
        return { ...snapshot, fills: await fetchFills(acc, symbol, Number(raw.orderId)) };
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        const c = acc.classify(err);
        if (c.kind === 'notFound') {
          const found = await lookup(acc, symbol, clientOrderId);
          if (found) return found;
          const message = `cancel of ${clientOrderId}: the exchange knows no such order (${c.code}), and a lookup finds none`;
          // Not visible yet, or really unknown to the exchange: a few attempts, then say so instead
          // of retrying forever (a stop would wait on it, and continue-as-new behind the stop).
          if (activityInfo().attempt >= CANCEL_MISSING_AFTER_ATTEMPTS) return { clientOrderId, missing: true, message };
          throw retryableFailure(FailureType.NotYetVisible, message, 1_000);
        }
        throw cancelFailure(c, clientOrderId);
      }
    },

    /** Look one order up by client id (null when the exchange does not know it). */
    async getOrder(input: CancelOrderInput): Promise<OrderSnapshot | null> {
      return lookup(account(input.account), input.symbol, input.clientOrderId);
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;

/** The query parameters binance-api-node sends for an order: always our id, always FULL answers. */
export function orderParams(
  r: OrderRequest,
  clientOrderId: string,
  recvWindow: number,
): Record<string, string | number> {
  const p: Record<string, string | number> = {
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    newClientOrderId: clientOrderId,
    newOrderRespType: 'FULL',
    recvWindow,
  };
  if (r.quantity !== undefined) p.quantity = r.quantity;
  if (r.quoteOrderQty !== undefined) p.quoteOrderQty = r.quoteOrderQty;
  if (r.price !== undefined) p.price = r.price;
  if (r.stopPrice !== undefined) p.stopPrice = r.stopPrice;
  if (r.trailingDelta !== undefined) p.trailingDelta = r.trailingDelta;
  if (r.timeInForce !== undefined) p.timeInForce = r.timeInForce;
  return p;
}

/**
 * binance-api-node's orderOco uses the (deprecated) limit/stop form: for a SELL the limit leg is
 * above the market and the stop below; for a BUY the other way round.
 */
export function ocoParams(input: PlaceOcoInput, recvWindow: number): Record<string, string | number> {
  const { request } = input;
  const limitLeg = request.side === 'SELL' ? request.above : request.below;
  const stopLeg = request.side === 'SELL' ? request.below : request.above;
  const limitId = request.side === 'SELL' ? input.aboveClientOrderId : input.belowClientOrderId;
  const stopId = request.side === 'SELL' ? input.belowClientOrderId : input.aboveClientOrderId;
  const p: Record<string, string | number> = {
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    listClientOrderId: input.listClientOrderId,
    limitClientOrderId: limitId,
    stopClientOrderId: stopId,
    price: requireDec(limitLeg.price, 'limit leg price'),
    stopPrice: requireDec(stopLeg.stopPrice, 'stop leg stopPrice'),
    newOrderRespType: 'FULL',
    recvWindow,
  };
  if (stopLeg.price !== undefined) {
    p.stopLimitPrice = stopLeg.price;
    p.stopLimitTimeInForce = stopLeg.timeInForce ?? 'GTC';
  }
  return p;
}

/** `POST /api/v3/orderList/oco`: legs named above/below, each with its own type, prices and trailing delta. */
export function orderListOcoParams(input: PlaceOcoInput, recvWindow: number): Record<string, string | number> {
  const { request } = input;
  const p: Record<string, string | number> = {
    symbol: request.symbol,
    side: request.side,
    quantity: request.quantity,
    listClientOrderId: input.listClientOrderId,
    newOrderRespType: 'FULL',
    recvWindow,
  };
  const legs = [
    ['above', request.above, input.aboveClientOrderId],
    ['below', request.below, input.belowClientOrderId],
  ] as const;
  for (const [prefix, leg, clientOrderId] of legs) {
    p[`${prefix}Type`] = leg.type;
    p[`${prefix}ClientOrderId`] = clientOrderId;
    if (leg.price !== undefined) p[`${prefix}Price`] = leg.price;
    if (leg.stopPrice !== undefined) p[`${prefix}StopPrice`] = leg.stopPrice;
    if (leg.trailingDelta !== undefined) p[`${prefix}TrailingDelta`] = leg.trailingDelta;
    if (leg.timeInForce !== undefined) p[`${prefix}TimeInForce`] = leg.timeInForce;
    else if (leg.type === 'STOP_LOSS_LIMIT' || leg.type === 'TAKE_PROFIT_LIMIT') p[`${prefix}TimeInForce`] = 'GTC';
  }
  return p;
}

function requireDec(value: Dec | undefined, what: string): Dec {
  // Checked before anything is sent, identically on every attempt: such a request never leaves.
  if (value === undefined) throw localFailure(FailureType.InvalidRequest, `OCO: ${what} is required`, true);
  return value;
}
