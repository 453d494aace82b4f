/**
 * The bot workflow's runtime, as Temporal's samples hand a workflow's messages to a class
 * (safe-message-handlers): the kernel state, the queue of what waits for the kernel, the exchange
 * work in flight, and the one place an event meets the kernel. workflows/bot.ts registers the
 * handlers and runs the loop; the start (./bot-start.ts), the command runner
 * (./command-runner.ts) and continue-as-new (./continue-as-new.ts) build on this.
 *
 * Runs in the workflow sandbox. Statement order in the constructor is the order the workflow
 * always ran (patch markers, proxies, scopes): recorded histories replay unchanged.
 */
import * as wf from '@temporalio/workflow';
import type { BotDefinition } from '../core/bot-definition';
import { DEFAULT_MAX_CANDLE_LEAD_MS } from '../core/candle-check';
import { branchToken } from '../core/client-ids';
import { type BotEvent, type BotState, type Command, nextWakeAt, recordError, step, summarize } from '../core/kernel';
import { NO_VERIFICATION } from '../core/order-authority';
import type { AnyStrategy } from '../core/strategy';
import { findStrategy } from '../core/strategies';
import { botActivities } from './bot-activities';
import { freshBotState } from './bot-start';
import type { CircuitTracker } from './circuit';
import { type CommandRunner, createCommandRunner } from './command-runner';
import { ContinueAsNew } from './continue-as-new';
import type { ControlHandlers } from './control';
import { showCurrentDetails } from './details';
import { failureMessage } from './failures';
import { NO_REJECTIONS, createInbound, withRejection } from './inbound';
import type { BotStateView, BotWorkflowInput, InputRejections, RuntimeOptions } from './messages';
import { type BotNotifications, botNotifications } from './notifications';
import { ParamsUpdates } from './params-update';
import { type QueueItem, kernelEvent } from './queue-items';
import { ResetWatch } from './reset-detection';
import { markReplayed, resetSince, withRuleFlags } from './run-context';
import { createGate } from './start-gate';
import type { VenueActivities } from './venue-acts';
import { syncBotVisibility } from './visibility';
import { createWakeTimer } from './wake-timer';

type Params = BotDefinition['params'];

export class BotRuntime {
  readonly definition: BotDefinition;
  readonly strategy: AnyStrategy;
  readonly options: RuntimeOptions;
  readonly carried: BotWorkflowInput['carried'];
  readonly venue: VenueActivities;
  readonly resets: ResetWatch;
  state: BotState;
  /** What waits for the kernel: messages and activity outcomes, in arrival order. */
  readonly queue: QueueItem[];
  readonly generation: number;
  /** The setParams updates (./params-update.ts). */
  readonly params: ParamsUpdates;
  eventsThisRun = 0;
  /** Exchange activities started and not finished. */
  inFlight = 0;
  /** Exchange activities started in this run (tells a drain whether it started some). */
  private launches = 0;
  rejections: InputRejections;
  /** Streams route to a bot only once it can trade (workflows/start-gate.ts). */
  routable: boolean;
  /** Notices of fills, exits, stops... sent from this history (./notifications.ts). */
  readonly notifications: BotNotifications;
  /** Every signal is checked (./inbound.ts): a malformed one is dropped and recorded. */
  readonly inbound: ReturnType<typeof createInbound>;
  readonly gate: ReturnType<typeof createGate>;
  private circuit!: CircuitTracker;
  private control!: ControlHandlers;
  private readonly run: CommandRunner;
  /**
   * Exchange work is never abandoned halfway: a stop or a cancellation waits for its outcome. One
   * scope for all of it, since each scope (and each promise) made in workflow code has a cost the
   * SDK pays again at every replay.
   */
  private readonly exchangeWork: wf.CancellationScope;
  private wakeDue = false;
  private readonly wake: ReturnType<typeof createWakeTimer>;
  /** When this run continues as new, and with what (./continue-as-new.ts). */
  readonly rollover: ContinueAsNew;

  constructor(
    input: BotWorkflowInput,
    /** False while replaying a history recorded before inbound checks (workflows/start-gate.ts). */
    readonly strict: boolean,
  ) {
    const definition = (this.definition = input.definition);
    this.strategy = findStrategy(definition.strategy)!;
    const options = (this.options = input.options ?? {});
    const carried = (this.carried = input.carried);
    const { orderActs, readActs, dataActs, venue } = botActivities(options, () => this.state);
    this.venue = venue;

    // Before any kernel step: the seed this run started with tells a reset to its first task.
    this.resets = new ResetWatch();
    this.state = carried?.state ?? this.freshState(definition.params);
    // Stream reports are hints the exchange confirms or corrects (core/order-authority.ts).
    if (strict && !this.state.verification) this.state = { ...this.state, verification: NO_VERIFICATION };
    this.state = withRuleFlags(this.state);
    // A run that rolled over still BLOCKED hands on the pause and resume it was asked for.
    this.queue = [...(carried?.inbox ?? input.heldWhileBlocked?.inbox ?? [])];
    this.generation = carried?.generation ?? 1;
    this.params = new ParamsUpdates(
      {
        definition,
        strict,
        state: () => this.state,
        setState: (next) => void (this.state = next),
        enqueue: (item) => void this.queue.push(item),
        untradable: (patch) => this.gate.untradable(patch),
      },
      carried?.paramsUpdatesApplied ?? 0,
    );
    this.rejections = carried?.inputRejections ?? NO_REJECTIONS;
    this.routable = carried !== undefined || !strict;
    this.notifications = botNotifications(this.state, carried?.notices ?? []);

    this.inbound = createInbound({
      state: () => this.state,
      push: (item) => void this.queue.push(item),
      now: () => Date.now(),
      maxCandleLeadMs: options.maxCandleLeadMs ?? DEFAULT_MAX_CANDLE_LEAD_MS,
      strict,
      reject: (r) => {
        this.rejections = withRejection(this.rejections, r);
        wf.log.warn(`${r.message} refused: ${r.reason}`, { bot: definition.name });
      },
    });
    this.gate = createGate({
      strict,
      definition,
      options,
      initialBlocked: carried?.blocked ?? null,
      state: () => this.state,
      setState: (next) => void (this.state = next),
      freshState: (params) => this.freshState(params),
      queue: this.queue,
      paramsApplied: (seq) => this.params.noteApplied(seq),
      mergeParams: (patch) => this.params.merge(patch),
      preflight: (i) => readActs.preflightBot(i),
      syncVisibility: () => this.syncVisibility(),
      stop: (reason) => this.process({ type: 'stop', now: Date.now(), reason }),
      continueAsNewDue: () => this.rollover.due(),
      failureMessage,
    });
    this.run = createCommandRunner({
      state: () => this.state,
      venue: this.venue,
      placeOco: (i) => orderActs.placeOco(i),
      fetchData: (i) => dataActs.fetchData(i),
      resets: this.resets,
      noteExchange: (err) => this.gate.noteExchange(err),
    });
    this.exchangeWork = new wf.CancellationScope({ cancellable: false });
    this.wake = createWakeTimer(() => void (this.wakeDue = true));
    this.rollover = new ContinueAsNew(this);
  }

  /** The handlers the runtime reads back: the circuit breaker's view and the runNow acknowledgements. */
  connect(handlers: { readonly circuit: CircuitTracker; readonly control: ControlHandlers }): void {
    this.circuit = handlers.circuit;
    this.control = handlers.control;
  }

  /** A brand-new kernel state with these params (nothing was placed yet; ./bot-start.ts). */
  freshState(params: Params): BotState {
    return freshBotState(this, params);
  }

  // ---- messages ------------------------------------------------------------------------------

  enqueue(item: QueueItem): void {
    this.queue.push(item);
  }

  config(): BotDefinition {
    return { ...this.definition, params: this.state.setup.params as Params };
  }

  view(): BotStateView {
    const state = this.state;
    return {
      ...summarize(state),
      status: this.gate.blocked() ? 'BLOCKED' : state.status,
      blocked: this.gate.blocked(),
      inputRejections: this.rejections,
      interval: state.setup.interval,
      account: state.setup.account,
      clientIdTag: state.clientIdTag,
      inherited: state.inherited ?? [],
      params: state.setup.params,
      strategyState: state.strategy,
      lastPrice: state.lastPrice,
      generation: this.generation,
      eventsProcessed: state.eventsProcessed,
      pendingEvents: this.queue.length,
      activitiesInFlight: this.inFlight,
      circuitBreaker: this.circuitView(),
    };
  }

  circuitView(): ReturnType<CircuitTracker['view']> {
    return this.circuit.view();
  }

  /** The Web UI's search attributes and the stream service's memo (./visibility.ts). */
  syncVisibility(): void {
    syncBotVisibility(
      this.state,
      this.gate.displayStatus(this.state.status),
      this.gate.blocked()?.reason ?? null,
      this.routable,
    );
  }

  // ---- the kernel and its commands ----------------------------------------------------------

  process(event: BotEvent): void {
    const before = this.state;
    let commands: readonly Command[];
    try {
      ({ state: this.state, commands } = step(this.state, event, this.strategy));
    } catch (err) {
      // A strategy bug must not wedge the bot in an endlessly retried workflow task: skip the event,
      // keep everything else (open orders keep being managed), and say so.
      const message = `event ${event.type} skipped: ${(err as Error).message}`;
      wf.log.error(message, { bot: this.state.setup.name });
      this.state = recordError(this.state, event.now, message);
      return;
    }
    if (this.rollover.counts(event)) this.eventsThisRun++;
    const state = this.state;
    for (const n of state.notifications)
      if (!before.notifications.includes(n)) wf.log.info(n.message, { bot: state.setup.name, level: n.level });
    for (const command of commands) this.launch(command);
    if (state.status !== before.status || state.watches !== before.watches) this.syncVisibility();
  }

  private launch(command: Command): void {
    if (command.type === 'notify') return; // already logged from the state's notifications
    this.inFlight++;
    this.launches++;
    void this.exchangeWork.run(async () => {
      try {
        this.queue.push(...(await this.run(command)));
      } finally {
        this.inFlight--;
      }
    });
  }

  /** Everything queued to the kernel, in order, then the notices of what it did. */
  drain(): void {
    const launches = this.launches;
    while (this.queue.length > 0) {
      const item = this.queue.shift()!;
      const event = this.toEvent(item, Date.now());
      if (event) this.process(event);
    }
    this.notifications.flush(this.state, this.launches !== launches, this.rollover.holdsNotices());
  }

  private toEvent(item: QueueItem, now: number): BotEvent | null {
    switch (item.type) {
      case 'runNow':
        this.control.applied(item.updateSeq);
        return { type: 'runNow', now };
      case 'params':
        return this.params.toEvent(item, now);
      default:
        return kernelEvent(item, now);
    }
  }

  // ---- resets (./reset-detection.ts) -------------------------------------------------------

  /** Once per reset point passed in this run (Temporal's Reset, the Web UI's button). */
  noticeReset(): void {
    if (!this.resets.changed()) return;
    this.resets.acknowledge();
    this.onReset();
  }

  /** A reset point passed: what was waiting was delivered again; ids take a new branch. */
  onReset(): void {
    markReplayed(this.queue);
    // Every order of the discarded branch came after the start of the run the history continues.
    this.process({
      type: 'reset',
      now: Date.now(),
      branch: branchToken(this.resets.seed),
      since: resetSince(this.resets, this.carried?.state.lastEventTime ?? null),
    });
  }

  // ---- the wake-up timer (./wake-timer.ts) ----------------------------------------------------

  armWakeTimer(): void {
    this.wake.arm(this.state.status === 'STOPPED' ? null : nextWakeAt(this.state));
  }

  disarmWakeTimer(): void {
    this.wake.disarm();
  }

  /** Something for the loop to do: a queued item, a wake-up that came, or notices nothing in flight will bring. */
  hasWork(): boolean {
    const noticesWaitForNothing = this.notifications.deferred() && this.inFlight === 0 && !this.rollover.holdsNotices();
    return this.queue.length > 0 || this.wakeDue || noticesWaitForNothing;
  }

  /** The wake-up came: the kernel's timers and reconciliation pacing get their turn. */
  wakeIfDue(): void {
    if (!this.wakeDue) return;
    this.wakeDue = false;
    this.process({ type: 'wake', now: Date.now() });
  }

  // ---- stopping ------------------------------------------------------------------------------

  /**
   * `temporal workflow cancel` is a graceful stop: handle the open orders as configured, wait for
   * the exchange to confirm, and complete with a summary. Run in a non-cancellable scope.
   */
  async stopGracefully(): Promise<void> {
    this.disarmWakeTimer();
    this.process({ type: 'stop', now: Date.now(), reason: 'cancelled' });
    while (this.state.status !== 'STOPPED') {
      await wf.condition(() => this.queue.length > 0 || this.inFlight === 0);
      this.drain();
      // Nothing in flight and nothing queued: whatever is still open stays open (reported in the summary).
      if (this.inFlight === 0 && this.queue.length === 0) break;
    }
  }

  /** The run ends: the last outcomes processed, every notice stored, the summary returned. */
  async finish(): Promise<BotStateView> {
    this.disarmWakeTimer();
    // After a cancellation the root scope is cancelled: waiting there would throw at once.
    await wf.CancellationScope.nonCancellable(() => wf.condition(() => this.inFlight === 0));
    this.drain();
    // Even if that last drain started exchange work: the run ends, its notices go now.
    this.notifications.flush(this.state);
    await this.notifications.settled();
    showCurrentDetails(this.state);
    return this.view();
  }
}
