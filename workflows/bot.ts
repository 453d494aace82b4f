/**
 * The bot workflow: one per bot, hosting any strategy. Thin on purpose — all decisions live in the
 * pure kernel (core/engine.ts); this file only wires Temporal to it:
 *
 *   signals / update / activity results ──► inbox ──► kernel.step ──► commands ──► activities
 *
 * The workflow history is the write-ahead log: an order's client id is minted by the kernel and the
 * activity that sends it is scheduled (recorded) before the exchange ever sees the request.
 */
import { venueActivities } from './venue-acts';
import { resolveFuturesSetup } from '../core/futures/setup';
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { type BotDefinition, checkBotDefinition } from '../core/bot-definition';
import { DEFAULT_MAX_CANDLE_LEAD_MS } from '../core/candle-check';
import { NO_VERIFICATION } from '../core/order-authority';
import {
  type BotEvent,
  type BotState,
  type Command,
  DEFAULT_RECONCILE_TIMING,
  createBotState,
  nextWakeAt,
  recordError,
  step,
  summarize,
} from '../core/engine';
import type { SymbolFilters } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import type { Json } from '../core/strategy';
import { findStrategy } from '../core/strategies';
import { DATA_ACTIVITY_OPTIONS, ORDER_ACTIVITY_OPTIONS, READ_ACTIVITY_OPTIONS, withAttemptTimeout } from './activity-options';
import { failureMessage, placementFailure } from './failures';
import { ResetWatch } from './reset-detection';
import { cancelledBeforeContinueAsNew, clientIdSeed, continueAsNewForced, markReplayed, placementContext, resetSince, withRuleFlags } from './run-context';
import { branchToken } from '../core/client-ids';
import {
  type BotStateView,
  type BotWorkflowInput,
  type InboxItem,
  type InputRejections,
  bookSignal,
  candleSignal,
  configQuery,
  orderUpdateSignal,
  pauseSignal,
  resumeSignal,
  setParamsUpdate,
  stateQuery,
  streamReconnectedSignal,
  triggerSignal,
} from './messages';
import { registerControlHandlers } from './control';
import { showCurrentDetails, withOrderSummaries } from './details';
import { trackCircuitBreaker, withOrderPurposes } from './circuit';
import { botNotifications } from './notifications';
import { createWakeTimer } from './wake-timer';
import { registerStreamUpdates } from './stream-updates';
import { syncBotVisibility } from './visibility';
import { NO_REJECTIONS, checkParamsPatch, createInbound, withRejection } from './inbound';
import { INBOUND_CHECKS_PATCH, acceptStartInput, createGate } from './start-gate';

/**
 * A run continues as new once its history reaches this many events (Temporal itself suggests it
 * only at about 4,000). A restarted worker replays each bot's current run before the bot can act
 * again, at roughly 1,600 events/s on one core of a small VM (bench/README.md): 1,000 events keep
 * that under a second per bot, where 4,000 cost 2.5 s. The new run carries the whole state and
 * reconciles once, which a quiet 1m-candle bot pays about every four hours.
 */
export const MAX_HISTORY_EVENTS_PER_RUN = 1_000;

/** Results of activities, queued like any other event (plain JSON, so they survive continue-as-new). */
type ResultItem =
  | { readonly type: 'placed'; readonly snapshot: OrderSnapshot }
  | { readonly type: 'listPlaced'; readonly listClientOrderId: string; readonly snapshots: readonly OrderSnapshot[] }
  | { readonly type: 'rejected'; readonly clientOrderIds: readonly string[]; readonly code: string; readonly message: string }
  | { readonly type: 'unknownOutcome'; readonly clientOrderIds: readonly string[]; readonly message: string }
  | { readonly type: 'collision'; readonly clientOrderIds: readonly string[]; readonly message: string }
  | { readonly type: 'missing'; readonly clientOrderId: string; readonly message: string }
  | { readonly type: 'cancelRejected'; readonly clientOrderId: string; readonly message: string }
  | ({ readonly type: 'reconciled'; readonly snapshots: readonly OrderSnapshot[] } & Omit<Extract<BotEvent, { type: 'reconciled' }>, 'type' | 'now'>)
  | { readonly type: 'reconcileFailed'; readonly message: string }
  | { readonly type: 'data'; readonly requestId: string; readonly result: Json }
  | { readonly type: 'dataFailed'; readonly requestId: string; readonly message: string };

type QueueItem = InboxItem | ResultItem;

export async function botWorkflow(raw: BotWorkflowInput): Promise<BotStateView> {
  // The input is untrusted (a raw `temporal workflow start`): refused with every problem named,
  // as a failed run, never as a workflow task that fails and retries for ever.
  const input = acceptStartInput(raw);
  const strict = wf.patched(INBOUND_CHECKS_PATCH);
  const definition: BotDefinition = input.definition;
  const strategy = findStrategy(definition.strategy)!;
  const options = input.options ?? {};
  const carried = input.carried;
  // Each order activity carries a one-line summary for the Web UI's event history (./details.ts).
  const orderActs = withOrderPurposes(withOrderSummaries(wf.proxyActivities<Activities>(withAttemptTimeout(ORDER_ACTIVITY_OPTIONS, options.attemptTimeout)), (id) => state.orders[id]), (id) => state.orders[id]);
  const readActs = wf.proxyActivities<Activities>(withAttemptTimeout(READ_ACTIVITY_OPTIONS, options.attemptTimeout));
  const dataActs = wf.proxyActivities<Activities>(DATA_ACTIVITY_OPTIONS);
  // Spot or futures activities, by the bot's market (./venue-acts.ts).
  const venue = venueActivities(() => state, orderActs, readActs);

  // Before any kernel step: the seed this run started with tells a reset to its first task.
  const resets = new ResetWatch();
  const freshState = (params: BotDefinition['params']): BotState =>
    createBotState(
      {
        name: definition.name,
        strategy: definition.strategy,
        symbol: definition.symbol,
        interval: definition.interval,
        account: definition.account,
        params,
        onStop: definition.onStop,
        risk: definition.risk,
        ...(definition.market === 'futures' ? { market: 'futures' as const, futures: resolveFuturesSetup(definition.futures, params) } : {}),
      },
      strategy,
      Date.now(),
      { ...DEFAULT_RECONCILE_TIMING, ...options.reconcile },
      clientIdSeed(definition.name, resets),
    );
  let state: BotState = carried?.state ?? freshState(definition.params);
  // Stream reports are hints the exchange confirms or corrects (core/order-authority.ts).
  if (strict && !state.verification) state = { ...state, verification: NO_VERIFICATION };
  state = withRuleFlags(state);
  const queue: QueueItem[] = [...(carried?.inbox ?? [])];
  const generation = carried?.generation ?? 1;
  let paramsRequested = carried?.paramsUpdatesApplied ?? 0;
  let paramsApplied = carried?.paramsUpdatesApplied ?? 0;
  let eventsThisRun = 0;
  let inFlight = 0;
  let rejections: InputRejections = carried?.inputRejections ?? NO_REJECTIONS;
  // Streams route to a bot only once it can trade (workflows/start-gate.ts).
  let routable = carried !== undefined || !strict;
  // Notices of fills, exits, stops... sent from this history (./notifications.ts).
  const notifications = botNotifications(state);

  // ---- messages ------------------------------------------------------------------------------

  // Every signal is checked (workflows/inbound.ts): a malformed one is dropped and recorded.
  const inbound = createInbound({
    state: () => state,
    push: (item) => void queue.push(item),
    now: () => Date.now(),
    maxCandleLeadMs: options.maxCandleLeadMs ?? DEFAULT_MAX_CANDLE_LEAD_MS,
    strict,
    reject: (r) => {
      rejections = withRejection(rejections, r);
      wf.log.warn(`${r.message} refused: ${r.reason}`, { bot: definition.name });
    },
  });
  wf.setHandler(candleSignal, (...args: unknown[]) => inbound.candle(args));
  wf.setHandler(orderUpdateSignal, (...args: unknown[]) => inbound.orderUpdate(args));
  // The same two as updates, the fast path the stream service takes (./stream-updates.ts).
  registerStreamUpdates({ candle: (args) => inbound.candle(args), orderUpdate: (args) => inbound.orderUpdate(args), lastCandleOpenTime: () => state.lastCandleOpenTime });
  wf.setHandler(triggerSignal, (...args: unknown[]) => inbound.trigger(args));
  wf.setHandler(bookSignal, (...args: unknown[]) => inbound.book(args));
  wf.setHandler(streamReconnectedSignal, () => inbound.bare('streamReconnected'));
  wf.setHandler(pauseSignal, () => inbound.bare('pause'));
  wf.setHandler(resumeSignal, () => inbound.bare('resume'));
  // The account's circuit breaker as last heard of (./circuit.ts).
  const circuit = trackCircuitBreaker((args) => inbound.circuitBreaker(args), carried?.circuit);
  if (strict) wf.setDefaultSignalHandler((name) => inbound.unknown(name));
  wf.setHandler(stateQuery, () => view());
  const control = registerControlHandlers({ state: () => state, strategy, enqueue: (item) => void queue.push(item) });
  wf.setHandler(configQuery, () => ({ ...definition, params: state.setup.params as BotDefinition['params'] }));
  wf.setHandler(
    setParamsUpdate,
    async (...args: unknown[]) => {
      const patch = args[0] as Record<string, unknown>;
      const seq = ++paramsRequested;
      queue.push({ type: 'params', params: patch, updateSeq: seq });
      await wf.condition(() => paramsApplied >= seq);
      return { params: state.setup.params };
    },
    {
      // Runs before the update is accepted: a bad value is refused and the bot is left untouched.
      validator: (...args: unknown[]) => {
        const checked = strict ? checkParamsPatch(args) : ({ ok: true, patch: args[0] } as const);
        const problems = checked.ok ? (validateParams(checked.patch) ?? gate.untradable(checked.patch as Record<string, unknown>)) : checked.reason;
        if (problems) throw new Error(problems);
      },
    },
  );

  function mergeParams(patch: Record<string, unknown>): Record<string, unknown> {
    return { ...(state.setup.params as Record<string, unknown>), ...patch };
  }

  function validateParams(patch: unknown): string | null {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'params must be a JSON object';
    const result = checkBotDefinition({ ...definition, params: mergeParams(patch as Record<string, unknown>) });
    return result.ok ? null : result.problems.join('\n');
  }

  function view(): BotStateView {
    return {
      ...summarize(state),
      status: gate.blocked() ? 'BLOCKED' : state.status,
      blocked: gate.blocked(),
      inputRejections: rejections,
      interval: state.setup.interval,
      account: state.setup.account,
      clientIdTag: state.clientIdTag,
      inherited: state.inherited ?? [],
      params: state.setup.params,
      strategyState: state.strategy,
      lastPrice: state.lastPrice,
      generation,
      eventsProcessed: state.eventsProcessed,
      pendingEvents: queue.length,
      activitiesInFlight: inFlight,
      circuitBreaker: circuit.view(),
    };
  }

  const gate = createGate({
    strict,
    definition,
    options,
    initialBlocked: carried?.blocked ?? null,
    state: () => state,
    setState: (next) => void (state = next),
    freshState,
    queue,
    paramsApplied: (seq) => void (paramsApplied = Math.max(paramsApplied, seq)),
    mergeParams,
    preflight: (i) => readActs.preflightBot(i),
    syncVisibility: () => syncVisibility(),
    stop: (reason) => process({ type: 'stop', now: Date.now(), reason }),
    continueAsNewDue: () => continueAsNewDue(),
    failureMessage,
  });

  // ---- Web UI visibility ---------------------------------------------------------------------

  function syncVisibility(): void {
    syncBotVisibility(state, gate.displayStatus(state.status), gate.blocked()?.reason ?? null, routable);
  }

  // ---- the kernel and its commands ----------------------------------------------------------

  function process(event: BotEvent): void {
    const before = state;
    let commands: readonly Command[];
    try {
      ({ state, commands } = step(state, event, strategy));
    } catch (err) {
      // A strategy bug must not wedge the bot in an endlessly retried workflow task: skip the event,
      // keep everything else (open orders keep being managed), and say so.
      const message = `event ${event.type} skipped: ${(err as Error).message}`;
      wf.log.error(message, { bot: state.setup.name });
      state = recordError(state, event.now, message);
      return;
    }
    eventsThisRun++;
    for (const n of state.notifications) if (!before.notifications.includes(n)) wf.log.info(n.message, { bot: state.setup.name, level: n.level });
    for (const command of commands) launch(command);
    if (state.status !== before.status || state.watches !== before.watches) syncVisibility();
  }

  // Exchange work is never abandoned halfway: a stop or a cancellation waits for its outcome. One
  // scope for all of it, since each scope (and each promise) made in workflow code has a cost the
  // SDK pays again at every replay.
  const exchangeWork = new wf.CancellationScope({ cancellable: false });

  function launch(command: Command): void {
    if (command.type === 'notify') return; // already logged from the state's notifications
    inFlight++;
    void exchangeWork.run(async () => {
      try {
        queue.push(...(await execute(command)));
      } finally {
        inFlight--;
      }
    });
  }

  async function execute(command: Command): Promise<QueueItem[]> {
    const account = state.setup.account;
    switch (command.type) {
      case 'placeOrder':
        try {
          return [{ type: 'placed', snapshot: await venue.placeOrder({ account, clientOrderId: command.clientOrderId, request: command.request, ...placementContext(resets, command.resume) }) }];
        } catch (err) {
          gate.noteExchange(err);
          return [placementOutcome([command.clientOrderId], err)];
        }
      case 'placeOco':
        try {
          const { type: _t, ...oco } = command;
          const result = await orderActs.placeOco({ account, ...oco, ...placementContext(resets, command.resume) });
          return [{ type: 'listPlaced', listClientOrderId: result.listClientOrderId, snapshots: result.snapshots }];
        } catch (err) {
          return [placementOutcome([command.aboveClientOrderId, command.belowClientOrderId], err)];
        }
      case 'cancelOrder':
        try {
          const r = await venue.cancelOrder({ account, symbol: command.symbol, clientOrderId: command.clientOrderId });
          if ('missing' in r) return [{ type: 'missing', clientOrderId: command.clientOrderId, message: r.message }];
          return [{ type: 'orderUpdate', snapshot: r, source: 'cancel' }];
        } catch (err) {
          return [{ type: 'cancelRejected', clientOrderId: command.clientOrderId, message: failureMessage(err) }];
        }
      case 'reconcile':
        try {
          const lineage = state.idBranch !== undefined ? { branch: state.idBranch, ranges: state.idBranches ?? [], nextSeq: state.nextOrderSeq, scan: command.scan === true, ...(command.scanSince !== undefined ? { since: command.scanSince } : {}) } : undefined;
          const r = await venue.reconcile({ account, symbol: state.setup.symbol, clientOrderIds: command.clientOrderIds, orders: command.orders, ownTag: state.clientIdTag, ...(lineage ? { lineage } : {}) });
          gate.noteExchange(null);
          const { snapshots, ...rest } = r;
          return [{ type: 'reconciled', snapshots, ...rest }];
        } catch (err) {
          gate.noteExchange(err);
          return [{ type: 'reconcileFailed', message: failureMessage(err) }];
        }
      case 'fetch':
        try {
          return [{ type: 'data', requestId: command.requestId, result: await dataActs.fetchData({ account, request: command.request }) }];
        } catch (err) {
          return [{ type: 'dataFailed', requestId: command.requestId, message: failureMessage(err) }];
        }
      case 'notify':
        return [];
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  function toEvents(item: QueueItem, now: number): BotEvent[] {
    switch (item.type) {
      case 'candle':
        return [{ type: 'candle', now, candle: item.candle, ...(item.replayed ? { replayed: true } : {}) }];
      case 'orderUpdate':
        return [{ type: 'orderUpdate', now, snapshot: item.snapshot, source: item.source }];
      case 'trigger':
        return [{ type: 'trigger', now, id: item.id, price: item.price, time: item.time, ...(item.replayed ? { replayed: true } : {}) }];
      case 'book':
        return [{ type: 'book', now, book: item.book }];
      case 'pause':
        return [{ type: 'pause', now }];
      case 'resume':
        return [{ type: 'resume', now }];
      case 'streamReconnected':
        return [{ type: 'streamReconnected', now }];
      case 'runNow':
        control.applied(item.updateSeq);
        return [{ type: 'runNow', now }];
      case 'params': {
        paramsApplied = Math.max(paramsApplied, item.updateSeq);
        // Re-check against the params as they are now (another update may have landed first).
        const merged = mergeParams(item.params);
        const result = checkBotDefinition({ ...definition, params: merged });
        if (!result.ok) {
          state = recordError(state, now, `setParams ignored: ${result.problems.join('; ')}`);
          return [];
        }
        return [{ type: 'params', now, params: result.definition.params }];
      }
      case 'placed':
        return [{ type: 'orderPlaced', now, snapshot: item.snapshot }];
      case 'listPlaced':
        return [{ type: 'orderListPlaced', now, listClientOrderId: item.listClientOrderId, snapshots: item.snapshots }];
      case 'rejected':
        return item.clientOrderIds.map((clientOrderId) => ({ type: 'orderRejected', now, clientOrderId, code: item.code, message: item.message }) as const);
      case 'unknownOutcome':
        return item.clientOrderIds.map((clientOrderId) => ({ type: 'orderUnknown', now, clientOrderId, message: item.message }) as const);
      case 'collision':
        return item.clientOrderIds.map((clientOrderId) => ({ type: 'orderCollision', now, clientOrderId, message: item.message }) as const);
      case 'missing':
        return [{ type: 'orderMissing', now, clientOrderId: item.clientOrderId, message: item.message }];
      case 'cancelRejected':
        return [{ type: 'cancelRejected', now, clientOrderId: item.clientOrderId, message: item.message }];
      case 'reconciled': {
        const { type: _t, snapshots, ...rest } = item;
        return [...snapshots.map((snapshot) => ({ type: 'orderUpdate', now, snapshot, source: 'reconcile' }) as const), { type: 'reconciled', now, ...rest }];
      }
      case 'reconcileFailed':
        return [{ type: 'reconcileFailed', now, message: item.message }];
      case 'data':
        return [{ type: 'data', now, requestId: item.requestId, result: item.result }];
      case 'dataFailed':
        return [{ type: 'dataFailed', now, requestId: item.requestId, message: item.message }];
      default: {
        const unknown: never = item;
        throw new Error(`unknown queue item ${JSON.stringify(unknown)}`);
      }
    }
  }

  function drain(): void {
    while (queue.length > 0) {
      const item = queue.shift()!;
      for (const event of toEvents(item, Date.now())) process(event);
    }
    notifications.flush(state);
  }

  // ---- wake-up timer (./wake-timer.ts) ------------------------------------------------------

  let wakeDue = false;
  const wake = createWakeTimer(() => void (wakeDue = true));
  const armWakeTimer = () => wake.arm(state.status === 'STOPPED' ? null : nextWakeAt(state));
  const disarmWakeTimer = () => wake.disarm();

  function continueAsNewDue(): boolean {
    const info = wf.workflowInfo();
    const limit = options.continueAsNewAfterEvents;
    const maxHistory = options.continueAsNewAtHistoryLength ?? MAX_HISTORY_EVENTS_PER_RUN;
    return info.continueAsNewSuggested || info.historyLength >= maxHistory || (limit !== undefined && eventsThisRun >= limit);
  }

  function quiet(): boolean {
    return inFlight === 0 && notifications.idle() && wf.allHandlersFinished();
  }

  // Continue-as-new does not wait forever for work in flight (run-context.ts).
  let continueDueSince: number | null = null;
  function continueAsNewNow(): boolean {
    if (!continueAsNewDue()) return false;
    continueDueSince ??= Date.now();
    if (quiet()) return true;
    return wf.allHandlersFinished() && continueAsNewForced(continueDueSince, options.continueAsNewAtHistoryLength ?? MAX_HISTORY_EVENTS_PER_RUN);
  }

  /** A reset point passed (reset-detection.ts): what was waiting was delivered again; ids take a new branch. */
  function onReset(): void {
    markReplayed(queue);
    // Every order of the discarded branch came after the start of the run the history continues.
    process({ type: 'reset', now: Date.now(), branch: branchToken(resets.seed), since: resetSince(resets, carried?.state.lastEventTime ?? null) });
  }

  // ---- main loop -----------------------------------------------------------------------------

  async function filtersOf(symbol: string): Promise<SymbolFilters | null> {
    try {
      return await venue.getSymbolFilters({ account: state.setup.account, symbol });
    } catch (err) {
      state = recordError(state, Date.now(), `exchange filters of ${symbol} unavailable, its orders go unfiltered: ${failureMessage(err)}`);
      return null;
    }
  }

  if (carried || !strict) syncVisibility();
  if (!carried && strict) {
    const ready = await gate.startWhenTradable();
    if (ready.kind === 'stopped') return view();
    if (ready.kind === 'continueAsNew') {
      // A cancel that came with the roll-over ends the bot here (run-context.ts): a new run would never see it.
      if (cancelledBeforeContinueAsNew()) {
        process({ type: 'stop', now: Date.now(), reason: 'cancelled while blocked' });
        return view();
      }
      await wf.condition(wf.allHandlersFinished);
      return await wf.continueAsNew<typeof botWorkflow>({ definition: { ...definition, params: state.setup.params as BotDefinition['params'] }, options });
    }
    routable = true;
    syncVisibility();
    const checked = ready.result;
    const otherFilters = checked?.otherFilters ?? {};
    process({ type: 'start', now: Date.now(), filters: checked?.filters ?? null, fresh: true, ...(Object.keys(otherFilters).length > 0 ? { otherFilters } : {}) });
  } else if (!carried) {
    const filters = await filtersOf(state.setup.symbol);
    // A multi-symbol strategy declares the other symbols it trades; their filters come first.
    const extra = (strategy.extraSymbols?.(state.setup.params) ?? []).filter((s) => s !== state.setup.symbol);
    const otherFilters: Record<string, SymbolFilters> = {};
    for (const symbol of extra) {
      const f = await filtersOf(symbol);
      if (f) otherFilters[symbol] = f;
    }
    process({ type: 'start', now: Date.now(), filters, fresh: true, ...(extra.length > 0 ? { otherFilters } : {}) });
  } else {
    // A new run re-synchronises with the exchange before acting on anything new.
    process({ type: 'start', now: Date.now(), filters: state.filters, fresh: false });
  }
  if (resets.resetAtStart) onReset();

  try {
    for (;;) {
      if (resets.changed()) {
        resets.acknowledge();
        onReset();
      }
      drain();
      if (state.status === 'STOPPED') break;
      if (continueAsNewNow()) {
        if (cancelledBeforeContinueAsNew()) throw new wf.CancelledFailure('cancelled while continue-as-new was due');
        return await wf.continueAsNew<typeof botWorkflow>({
          definition: input.definition,
          options,
          carried: {
            state,
            inbox: queue as InboxItem[],
            generation: generation + 1,
            paramsUpdatesApplied: paramsApplied,
            circuit: circuit.view(),
            ...(rejections.count > 0 ? { inputRejections: rejections } : {}),
            ...(gate.blocked() ? { blocked: gate.blocked()! } : {}),
          },
        });
      }
      armWakeTimer();
      showCurrentDetails(state);
      await wf.condition(() => queue.length > 0 || wakeDue || resets.changed() || continueAsNewNow());
      if (wakeDue) {
        wakeDue = false;
        process({ type: 'wake', now: Date.now() });
      }
    }
  } catch (err) {
    if (!wf.isCancellation(err)) throw err;
    // `temporal workflow cancel` is a graceful stop: handle the open orders as configured, wait
    // for the exchange to confirm, and complete with a summary.
    await wf.CancellationScope.nonCancellable(async () => {
      disarmWakeTimer();
      process({ type: 'stop', now: Date.now(), reason: 'cancelled' });
      while (state.status !== 'STOPPED') {
        await wf.condition(() => queue.length > 0 || inFlight === 0);
        drain();
        // Nothing in flight and nothing queued: whatever is still open stays open (reported in the summary).
        if (inFlight === 0 && queue.length === 0) break;
      }
    });
  }
  disarmWakeTimer();
  // After a cancellation the root scope is cancelled: waiting there would throw at once.
  await wf.CancellationScope.nonCancellable(() => wf.condition(() => inFlight === 0));
  drain();
  await notifications.settled();
  showCurrentDetails(state);
  return view();
}

/** Only proof finalises an order (workflows/failures.ts). */
function placementOutcome(clientOrderIds: readonly string[], err: unknown): ResultItem {
  const f = placementFailure(err);
  switch (f.kind) {
    case 'rejected':
      return { type: 'rejected', clientOrderIds, code: f.code, message: f.message };
    case 'collision':
      return { type: 'collision', clientOrderIds, message: f.message };
    case 'unknown':
      return { type: 'unknownOutcome', clientOrderIds, message: f.message };
  }
}
