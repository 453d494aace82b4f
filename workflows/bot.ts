/**
 * The bot workflow: one per bot, hosting any strategy. Thin on purpose — all decisions live in the
 * pure kernel (core/kernel/); this file only wires Temporal to it:
 *
 *   signals / updates / activity results ──► queue ──► kernel.step ──► commands ──► activities
 *
 * The workflow history is the write-ahead log: an order's client id is minted by the kernel and the
 * activity that sends it is scheduled (recorded) before the exchange ever sees the request. The
 * runtime (./bot-runtime.ts) holds the state, the queue and the work in flight; this file registers
 * the handlers, runs the loop and continues as new.
 */
import * as wf from '@temporalio/workflow';
import { BotRuntime } from './bot-runtime';
import { startBot } from './bot-start';
import { trackCircuitBreaker } from './circuit';
import { registerControlHandlers } from './control';
import { showCurrentDetails } from './details';
import {
  type BotStateView,
  type BotWorkflowInput,
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
import { cancelledBeforeContinueAsNew } from './run-context';
import { INBOUND_CHECKS_PATCH, acceptStartInput } from './start-gate';
import { registerStreamUpdates } from './stream-updates';

export { MAX_HISTORY_EVENTS_PER_RUN } from './continue-as-new';

export async function botWorkflow(raw: BotWorkflowInput): Promise<BotStateView> {
  // The input is untrusted (a raw `temporal workflow start`): refused with every problem named,
  // as a failed run, never as a workflow task that fails and retries for ever.
  const input = acceptStartInput(raw);
  const bot = new BotRuntime(input, wf.patched(INBOUND_CHECKS_PATCH));

  // ---- messages: every signal is checked (./inbound.ts), then queued for the kernel ----------
  const { inbound } = bot;
  wf.setHandler(candleSignal, (...args: unknown[]) => inbound.candle(args));
  wf.setHandler(orderUpdateSignal, (...args: unknown[]) => inbound.orderUpdate(args));
  // The same two as updates, the fast path the stream service takes (./stream-updates.ts).
  registerStreamUpdates({
    candle: (args) => inbound.candle(args),
    orderUpdate: (args) => inbound.orderUpdate(args),
    lastCandleOpenTime: () => bot.state.lastCandleOpenTime,
  });
  wf.setHandler(triggerSignal, (...args: unknown[]) => inbound.trigger(args));
  wf.setHandler(bookSignal, (...args: unknown[]) => inbound.book(args));
  wf.setHandler(streamReconnectedSignal, () => inbound.bare('streamReconnected'));
  wf.setHandler(pauseSignal, () => inbound.bare('pause'));
  wf.setHandler(resumeSignal, () => inbound.bare('resume'));
  // The account's circuit breaker as last heard of (./circuit.ts).
  const circuit = trackCircuitBreaker((args) => inbound.circuitBreaker(args), input.carried?.circuit);
  if (bot.strict) wf.setDefaultSignalHandler((name) => inbound.unknown(name));
  wf.setHandler(stateQuery, () => bot.view());
  const control = registerControlHandlers({
    state: () => bot.state,
    strategy: bot.strategy,
    enqueue: (item) => bot.enqueue(item),
  });
  bot.connect({ circuit, control });
  wf.setHandler(configQuery, () => bot.config());
  wf.setHandler(setParamsUpdate, (...args: unknown[]) => bot.params.request(args[0] as Record<string, unknown>), {
    validator: (...args: unknown[]) => bot.params.validate(args),
  });

  // ---- start (./bot-start.ts) ----------------------------------------------------------------
  const started = await startBot(bot);
  if (started === 'stopped') return bot.view();
  if (started === 'continueAsNew') {
    // Still blocked when the run was due to roll over: the next run checks again.
    await wf.condition(wf.allHandlersFinished);
    return await wf.continueAsNew<typeof botWorkflow>(bot.rollover.blockedRunInput());
  }

  // ---- main loop -----------------------------------------------------------------------------
  try {
    for (;;) {
      bot.noticeReset();
      bot.drain();
      if (bot.state.status === 'STOPPED') break;
      if (bot.rollover.now()) {
        if (cancelledBeforeContinueAsNew()) throw new wf.CancelledFailure('cancelled while continue-as-new was due');
        // Signals that come meanwhile are carried; an update's handler must finish in this run.
        if (!(await bot.rollover.settle())) continue;
        return await wf.continueAsNew<typeof botWorkflow>(bot.rollover.nextRunInput(input.definition));
      }
      bot.armWakeTimer();
      showCurrentDetails(bot.state);
      await wf.condition(() => bot.hasWork() || bot.resets.changed() || bot.rollover.now());
      bot.wakeIfDue();
    }
  } catch (err) {
    if (!wf.isCancellation(err)) throw err;
    // `temporal workflow cancel` is a graceful stop (open orders handled as configured).
    await wf.CancellationScope.nonCancellable(() => bot.stopGracefully());
  }
  return await bot.finish();
}
