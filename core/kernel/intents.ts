/**
 * Strategy decisions to commands: events queued for the strategy and handed over one at a time,
 * then each intent applied: orders shaped by the symbol's filters, refused before the exchange
 * (paused, stopping, replayed by a reset, risk) the way the exchange would reject them, timers,
 * watches, data requests and stops recorded.
 */
import { type Dec, floorToStep, isZero, lt, roundToStep } from '../decimal';
import type { SymbolFilters } from '../market';
import type { OcoRequest, OrderRecord, OrderRequest } from '../orders';
import { adoptedExitToBind, boundRecord, sellsStillToCome } from '../adopted-exits';
import { applyFilters } from '../risk/filters';
import { checkEntry } from '../risk/guard';
import { holdExit, releaseHeldExits } from '../reset-exit-hold';
import type { Intent, Json, PlaceIntent, PlaceOcoIntent, StrategyEvent } from '../strategy';
import type { Kernel } from './kernel';
import { stripUndefined, without } from './records';
import { contextOf } from './view';

/** Internal events cascade (e.g. a refused entry is reported back to the strategy); cap to catch loops. */
const MAX_CASCADE = 1_000;

export function toStrategy(k: Kernel, event: StrategyEvent, replayed = false): void {
  k.strategyQueue.push({ event, replayed });
}

export function drainStrategyQueue(k: Kernel): void {
  let guard = 0;
  while (k.strategyQueue.length > 0) {
    if (++guard > MAX_CASCADE) throw new Error(`strategy ${k.strategy.id} cascaded more than ${MAX_CASCADE} events`);
    const { event, replayed } = k.strategyQueue.shift()!;
    if (k.s.status === 'STOPPED') continue;
    let decision: { state: unknown; intents?: readonly Intent[] };
    try {
      decision = k.strategy.onEvent(k.s.strategy, event, contextOf(k.s, k.now, k.openOrders()));
    } catch (err) {
      // A strategy bug costs its reaction to this event, never the facts the kernel already
      // recorded (order status, fills, position): those stand, and the error is reported.
      k.s.stats = { ...k.s.stats, strategyErrors: (k.s.stats.strategyErrors ?? 0) + 1 };
      k.notify(
        'error',
        `strategy ${k.strategy.id} failed on ${event.type}: ${(err as Error)?.message ?? String(err)}; its reaction was skipped`,
      );
      continue;
    }
    k.s.strategy = decision.state as Json;
    k.replayedDecision = replayed;
    try {
      for (const intent of decision.intents ?? []) applyIntent(k, intent);
    } finally {
      k.replayedDecision = false;
    }
  }
}

export function applyIntent(k: Kernel, intent: Intent): void {
  switch (intent.kind) {
    case 'place':
      place(k, intent);
      break;
    case 'placeOco':
      placeOco(k, intent);
      break;
    case 'cancel':
      for (const order of k.openOrders()) if (order.tag === intent.tag) k.cancel(order);
      break;
    case 'cancelAll':
      for (const order of k.openOrders()) k.cancel(order);
      break;
    case 'notify':
      k.notify(intent.level ?? 'info', intent.message);
      break;
    case 'timer':
      k.s.timers = { ...k.s.timers, [intent.id]: intent.at };
      break;
    case 'cancelTimer':
      k.s.timers = without(k.s.timers, intent.id);
      break;
    case 'watch':
      k.s.watches = { ...k.s.watches, [intent.id]: { direction: intent.direction, price: intent.price } };
      break;
    case 'unwatch':
      k.s.watches = without(k.s.watches, intent.id);
      break;
    case 'request':
      if (!k.s.pendingRequests[intent.requestId]) {
        k.s.pendingRequests = { ...k.s.pendingRequests, [intent.requestId]: intent.request };
        k.commands.push({ type: 'fetch', requestId: intent.requestId, request: intent.request });
      }
      break;
    case 'stop':
      k.beginStop(intent.reason);
      break;
    default: {
      const unknown: never = intent;
      throw new Error(`unknown intent ${JSON.stringify(unknown)}`);
    }
  }
}

/** Refusals that happen before anything reaches the exchange, reported back like exchange rejections. */
export function refuse(k: Kernel, intent: PlaceIntent | PlaceOcoIntent, request: OrderRequest, reason: string): void {
  const clientOrderId = k.mintId();
  const order = k.newOrder(clientOrderId, intent, request);
  k.setOrder(order);
  k.onRejected(clientOrderId, reason);
}

/**
 * The exits held for a reset's scan, placed in the order asked once it completed. Under
 * `heldExitRules: 1` each one's binding to an adopted twin looks at the held exits after it
 * (core/adopted-exits.ts): otherwise a lot another exit's holdings cover is sold twice.
 */
export function releaseExits(k: Kernel): void {
  const held = releaseHeldExits(k.s);
  const lookAhead = k.s.heldExitRules === 1;
  held.forEach((intent, i) => place(k, intent, lookAhead ? sellsStillToCome(held, i + 1) : undefined));
}

/** `stillToCome`: what the held exits released after this one sell (core/adopted-exits.ts), when the rule is on. */
export function place(k: Kernel, intent: PlaceIntent, stillToCome?: Dec): void {
  if (holdExit(k.s, intent, k.s.setup.symbol)) return;
  const symbol = intent.symbol ?? k.s.setup.symbol;
  const own = symbol === k.s.setup.symbol;
  const request: OrderRequest = stripUndefined({
    symbol,
    side: intent.side,
    type: intent.type,
    quantity: intent.quantity,
    quoteOrderQty: intent.quoteOrderQty,
    price: intent.price,
    stopPrice: intent.stopPrice,
    trailingDelta: intent.trailingDelta,
    timeInForce: intent.timeInForce ?? (needsTimeInForce(intent.type) ? 'GTC' : undefined),
    // Futures exits may only shrink the position: an exit after the protective stop fired must not open the other side.
    // That holds for a strategy's own STOP_MARKET stop-loss too (the protective stop is closePosition, placed by protect.ts).
    reduceOnly: k.s.setup.market === 'futures' && intent.purpose === 'exit' ? true : undefined,
  });
  const refusal =
    refusalReason(k, intent) ??
    (own || k.s.otherFilters?.[symbol] ? null : `symbol ${symbol} is not one the strategy declared (extraSymbols)`);
  if (refusal) return refuse(k, intent, request, refusal);
  let prepared = request;
  const filters = own ? k.s.filters : (k.s.otherFilters?.[symbol] ?? null);
  if (filters) {
    const outcome = applyFilters(request, filters, own ? k.s.lastPrice : null);
    if (!outcome.ok) return refuse(k, intent, request, `filters: ${outcome.reason}`);
    prepared = outcome.request;
  }
  // After a reset: an exit the discarded branch already placed is that order, not a second one.
  const twin = intent.purpose === 'exit' ? adoptedExitToBind(k.s, prepared, stillToCome) : null;
  if (twin) return bindAdopted(k, twin, intent);
  const clientOrderId = k.mintId();
  k.setOrder(k.newOrder(clientOrderId, intent, prepared));
  k.s.stats = { ...k.s.stats, ordersPlaced: k.s.stats.ordersPlaced + 1 };
  k.commands.push({ type: 'placeOrder', clientOrderId, request: prepared });
}

/** The strategy's exit becomes the adopted order with its request; the strategy sees it as placed (and filled, if it was). */
export function bindAdopted(k: Kernel, adopted: OrderRecord, intent: PlaceIntent): void {
  const order = boundRecord(adopted, intent, k.now);
  k.setOrder(order);
  k.notify(
    'warn',
    `${intent.tag}: the same exit is already on the exchange, placed by a discarded branch of this bot (${order.clientOrderId}, ${order.status}): taken as this decision, not sent again`,
  );
  toStrategy(k, { type: 'order', order, previousStatus: 'SUBMITTING', fills: order.fills });
}

export function placeOco(k: Kernel, intent: PlaceOcoIntent): void {
  const f = k.s.filters;
  const side = intent.side;
  const roundLeg = <L extends PlaceOcoIntent['above']>(leg: L): L =>
    f
      ? stripUndefined({
          ...leg,
          price: leg.price !== undefined ? applyPrice(leg.price, f) : undefined,
          stopPrice: leg.stopPrice !== undefined ? applyPrice(leg.stopPrice, f) : undefined,
        })
      : leg;
  const quantity = f ? floorToStep(intent.quantity, f.stepSize) : intent.quantity;
  const request: OcoRequest = {
    symbol: k.s.setup.symbol,
    side,
    quantity,
    above: roundLeg(intent.above),
    below: roundLeg(intent.below),
  };
  const legRequest = (leg: OcoRequest['above']): OrderRequest =>
    stripUndefined({
      symbol: request.symbol,
      side,
      type: leg.type,
      quantity,
      price: leg.price,
      stopPrice: leg.stopPrice,
      timeInForce: leg.timeInForce,
    });
  const refusal =
    refusalReason(k, intent) ??
    (f && (isZero(quantity) || lt(quantity, f.minQty))
      ? `filters: quantity ${intent.quantity} below minQty ${f.minQty}`
      : null);
  if (refusal) return refuse(k, intent, legRequest(request.above), refusal);
  const listClientOrderId = k.mintId();
  const aboveClientOrderId = k.mintId();
  const belowClientOrderId = k.mintId();
  k.setOrder({ ...k.newOrder(aboveClientOrderId, intent, legRequest(request.above)), listClientOrderId });
  k.setOrder({ ...k.newOrder(belowClientOrderId, intent, legRequest(request.below)), listClientOrderId });
  k.s.stats = { ...k.s.stats, ordersPlaced: k.s.stats.ordersPlaced + 2 };
  k.commands.push({ type: 'placeOco', listClientOrderId, aboveClientOrderId, belowClientOrderId, request });
}

export function refusalReason(k: Kernel, intent: PlaceIntent | PlaceOcoIntent): string | null {
  if (intent.purpose === 'entry' && k.replayedDecision)
    return 'the event was delivered again by a history reset (this bot already acted on it): no entry on it';
  if (intent.purpose === 'entry' && k.s.status === 'PAUSED') return 'bot is paused: no new entries';
  if (intent.purpose === 'entry' && (k.s.status === 'STOPPING' || k.s.status === 'STOPPED'))
    return 'bot is stopping: no new entries';
  if (intent.purpose === 'entry') {
    const refusal = checkEntry(k.s.risk, k.riskView(), k.s.setup.risk);
    if (refusal) return `risk: ${refusal}`;
  }
  return null;
}

/** OCO legs sit on both sides of the market: round each price to the nearest tick. */
function applyPrice(price: Dec, f: SymbolFilters): Dec {
  return roundToStep(price, f.tickSize);
}

function needsTimeInForce(type: OrderRequest['type']): boolean {
  return type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
}
