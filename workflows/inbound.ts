/**
 * Every message into a bot workflow is untrusted input: a signal from `temporal workflow signal`
 * with no input, `null`, a future-dated candle or a forged order report must never fail a workflow
 * task (which Temporal retries for ever, leaving the bot deaf and its queries unanswered) and never
 * be believed blindly. This module checks each signal and update argument with the shared schemas
 * (core/message-schemas.ts) and either hands a well-formed item to the inbox or records why it was
 * dropped — in the `state` query and the worker log. Pure: no Temporal import; the workflow wires
 * the callbacks.
 */
import { type CandleVerdict, checkCandle } from '../core/candle-check';
import type { BotState } from '../core/kernel';
import { bookSchema, circuitViewSchema, orderSnapshotSchema, triggerSchema } from '../core/message-schemas';
import { gt, lt } from '../core/decimal';
import type { Candle } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import { type BotDefinition, checkBotDefinition } from '../core/bot-definition';
import { formatIssues, kindOf, preview } from '../core/schema';
import { carriedStateSchema, heldWhileBlockedSchema, runtimeOptionsSchema } from '../core/workflow-input-schemas';
import type {
  BotWorkflowInput,
  CarriedState,
  CircuitView,
  HeldWhileBlocked,
  InboxItem,
  InputRejection,
  InputRejections,
} from './messages';

/** How many refusals the `state` query keeps (the count covers them all). */
export const MAX_REJECTIONS_KEPT = 20;

/** A patch bigger than this is refused before it is checked field by field (a 1 MB "quantity"). */
export const MAX_PARAMS_PATCH_BYTES = 16 * 1024;

export const NO_REJECTIONS: InputRejections = { count: 0, recent: [] };

export function withRejection(log: InputRejections, rejection: InputRejection): InputRejections {
  return { count: log.count + 1, recent: [...log.recent, rejection].slice(-MAX_REJECTIONS_KEPT) };
}

export interface InboundDeps {
  readonly state: () => BotState;
  readonly push: (item: InboxItem) => void;
  /** Workflow time. */
  readonly now: () => number;
  readonly maxCandleLeadMs: number;
  /** False while replaying a history recorded before these checks existed: accept as before. */
  readonly strict: boolean;
  readonly reject: (rejection: InputRejection) => void;
}

export type SignalArgs = readonly unknown[];

/** One handler per signal; each returns nothing and never throws. */
export function createInbound(deps: InboundDeps) {
  const refuse = (message: string, reason: string) => deps.reject({ time: deps.now(), message, reason });

  function single(name: string, args: SignalArgs): { ok: true; value: unknown } | { ok: false } {
    if (args.length === 1) return { ok: true, value: args[0] };
    refuse(
      `signal ${name}`,
      args.length === 0 ? 'no input: it takes one JSON object' : `${args.length} inputs: it takes one JSON object`,
    );
    return { ok: false };
  }

  return {
    candle(args: SignalArgs): void {
      const state = deps.state();
      if (!deps.strict) {
        const candle = args[0] as Candle;
        if (state.lastCandleOpenTime !== null && candle.openTime <= state.lastCandleOpenTime) return;
        deps.push({ type: 'candle', candle });
        return;
      }
      const one = single('candle', args);
      if (!one.ok) return;
      const verdict: CandleVerdict = checkCandle(one.value, {
        symbol: state.setup.symbol,
        interval: state.setup.interval,
        now: deps.now(),
        maxLeadMs: deps.maxCandleLeadMs,
      });
      if (!verdict.ok) return refuse('signal candle', verdict.reason);
      // Several workers may relay the same candle: drop the obvious duplicates before they cost a step.
      if (state.lastCandleOpenTime !== null && verdict.candle.openTime <= state.lastCandleOpenTime) return;
      deps.push({ type: 'candle', candle: verdict.candle });
    },

    orderUpdate(args: SignalArgs): void {
      if (!deps.strict) return deps.push({ type: 'orderUpdate', snapshot: args[0] as OrderSnapshot, source: 'stream' });
      const one = single('orderUpdate', args);
      if (!one.ok) return;
      const parsed = orderSnapshotSchema.safeParse(one.value);
      if (!parsed.success) return refuse('signal orderUpdate', formatIssues(parsed.error).join('; '));
      const snapshot = parsed.data as OrderSnapshot;
      const state = deps.state();
      const order = state.orders[snapshot.clientOrderId];
      if (!order) {
        // Late reports of our own long-pruned orders are normal; anything else is not ours.
        if (!snapshot.clientOrderId.startsWith(`${state.clientIdTag}-`))
          refuse('signal orderUpdate', `order ${preview(snapshot.clientOrderId)} is not one of this bot's orders`);
        return;
      }
      if (order.request.symbol !== snapshot.symbol)
        return refuse(
          'signal orderUpdate',
          `order ${snapshot.clientOrderId} is on ${order.request.symbol}, the report says ${snapshot.symbol}`,
        );
      deps.push({ type: 'orderUpdate', snapshot, source: 'stream' });
    },

    trigger(args: SignalArgs): void {
      if (!deps.strict)
        return deps.push({ type: 'trigger', ...(args[0] as { id: string; price: string; time: number }) });
      const one = single('trigger', args);
      if (!one.ok) return;
      const parsed = triggerSchema.safeParse(one.value);
      if (!parsed.success) return refuse('signal trigger', formatIssues(parsed.error).join('; '));
      const { id, price, time } = parsed.data;
      if (time > deps.now() + deps.maxCandleLeadMs) return refuse('signal trigger', `time: ${time} is in the future`);
      // A trigger says a watched level was crossed: the price it carries must be on the far side.
      const watch = deps.state().watches[id];
      if (watch && (watch.direction === 'above' ? lt(price, watch.price) : gt(price, watch.price))) {
        return refuse('signal trigger', `price ${price} did not cross watch ${id} (${watch.direction} ${watch.price})`);
      }
      deps.push({ type: 'trigger', id, price, time });
    },

    book(args: SignalArgs): void {
      if (!deps.strict) return deps.push({ type: 'book', book: args[0] as never });
      const one = single('book', args);
      if (!one.ok) return;
      const parsed = bookSchema.safeParse(one.value);
      if (!parsed.success) return refuse('signal book', formatIssues(parsed.error).join('; '));
      const symbol = deps.state().setup.symbol;
      if (parsed.data.symbol !== symbol)
        return refuse('signal book', `book of ${parsed.data.symbol}: this bot trades ${symbol}`);
      deps.push({ type: 'book', book: parsed.data });
    },

    /**
     * The worker's word on the account's circuit breaker (monitoring/breaker-relay.ts): shown in
     * `state`, never acted on (the breaker itself lives beside the exchange client). Returns the
     * view to keep, or null when refused. Anyone with the Web UI can send one: checked like the rest.
     */
    circuitBreaker(args: SignalArgs): CircuitView | null {
      const one = single('circuitBreaker', args);
      if (!one.ok) return null;
      const parsed = circuitViewSchema.safeParse(one.value);
      const account = deps.state().setup.account;
      const reason = !parsed.success
        ? formatIssues(parsed.error).join('; ')
        : parsed.data.account !== account
          ? `breaker of account ${preview(parsed.data.account)}: this bot trades on ${account}`
          : null;
      if (reason !== null || !parsed.success) {
        refuse('signal circuitBreaker', reason ?? 'malformed');
        return null;
      }
      return parsed.data;
    },

    /** Signals without input (pause, resume, streamReconnected): any input given is ignored. */
    bare(type: 'pause' | 'resume' | 'streamReconnected'): void {
      deps.push({ type });
    },

    /** A signal name the bot does not know (a typo in `temporal workflow signal --name`). */
    unknown(name: string): void {
      refuse(
        `signal ${name.length > 60 ? `${name.slice(0, 60)}…` : name}`,
        'no such signal (known: candle, orderUpdate, trigger, book, streamReconnected, pause, resume, circuitBreaker)',
      );
    },
  };
}

/**
 * The setParams update's argument: one JSON object of params, small. Returns the patch or the
 * reason to refuse it (the validator throws that reason; the bot is left untouched).
 */
export function checkParamsPatch(
  args: readonly unknown[],
): { ok: true; patch: Record<string, unknown> } | { ok: false; reason: string } {
  if (args.length !== 1)
    return { ok: false, reason: `setParams takes one JSON object of params (got ${args.length} inputs)` };
  const patch = args[0];
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    return { ok: false, reason: `params must be a JSON object such as {"quantity":"0.002"}, not ${preview(patch)}` };
  let size: number;
  try {
    size = JSON.stringify(patch).length;
  } catch {
    return { ok: false, reason: 'params must be plain JSON' };
  }
  if (size > MAX_PARAMS_PATCH_BYTES)
    return { ok: false, reason: `params are ${size} bytes; at most ${MAX_PARAMS_PATCH_BYTES} are accepted` };
  if (Object.keys(patch).length === 0) return { ok: false, reason: 'params must name at least one param to change' };
  return { ok: true, patch: patch as Record<string, unknown> };
}

/**
 * The start input of a bot workflow (`temporal workflow start --input ...` reaches here unchecked):
 * the definition as a config file's, bounded options, and a carried state of the right shape that
 * belongs to this bot. All problems at once.
 */
export function checkStartInput(
  raw: unknown,
): { ok: true; input: BotWorkflowInput } | { ok: false; problems: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [
        `the input must be a JSON object {"definition": {...}, "options": {...}}, not ${raw === undefined ? 'nothing' : kindOf(raw)}`,
      ],
    };
  }
  const problems: string[] = [];
  const {
    definition: rawDefinition,
    options: rawOptions,
    carried: rawCarried,
    heldWhileBlocked: rawHeld,
    ...extra
  } = raw as Record<string, unknown>;
  if (Object.keys(extra).length > 0)
    problems.push(
      `unknown field(s) ${Object.keys(extra)
        .map((k) => preview(k))
        .join(', ')} (the input has definition, options, carried and heldWhileBlocked)`,
    );
  let heldWhileBlocked: HeldWhileBlocked | undefined;
  if (rawHeld !== undefined) {
    const parsed = heldWhileBlockedSchema.safeParse(rawHeld);
    if (!parsed.success) problems.push(...formatIssues(parsed.error, 'heldWhileBlocked').slice(0, 5));
    else heldWhileBlocked = parsed.data;
    // Only a run that never started its kernel hands these on; a carried state has its own inbox.
    if (rawCarried !== undefined) problems.push('heldWhileBlocked: not allowed with carried (it has its own inbox)');
  }
  let definition: BotDefinition | null = null;
  if (rawDefinition === undefined) problems.push('definition: is required');
  else {
    const checked = checkBotDefinition(rawDefinition);
    if (checked.ok) definition = checked.definition;
    else problems.push(...checked.problems.map((p) => `definition: ${p}`));
  }
  const options = runtimeOptionsSchema.safeParse(rawOptions ?? {});
  if (!options.success) problems.push(...formatIssues(options.error, 'options'));
  let carried: CarriedState | undefined;
  if (rawCarried !== undefined) {
    const parsed = carriedStateSchema.safeParse(rawCarried);
    if (!parsed.success) {
      const all = formatIssues(parsed.error, 'carried');
      problems.push(
        ...all.slice(0, 5),
        ...(all.length > 5
          ? [`carried: ... and ${all.length - 5} more problems (the state of a previous run is expected)`]
          : []),
      );
    } else if (definition) {
      carried = rawCarried as CarriedState;
      const setup = carried.state.setup;
      for (const key of ['name', 'strategy', 'symbol', 'interval', 'account'] as const) {
        if (setup[key] !== definition[key])
          problems.push(
            `carried.state.setup.${key}: ${preview(setup[key])} is not the definition's ${preview(definition[key])}`,
          );
      }
      const params = checkBotDefinition({ ...definition, params: setup.params });
      if (!params.ok) problems.push(...params.problems.map((p) => `carried.state.setup: ${p}`));
    }
  }
  if (problems.length > 0 || !definition || !options.success) return { ok: false, problems };
  return {
    ok: true,
    input: {
      definition,
      options: options.data,
      ...(carried ? { carried } : {}),
      ...(heldWhileBlocked ? { heldWhileBlocked } : {}),
    },
  };
}
