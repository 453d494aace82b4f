/**
 * The setParams update of a bot: validated before it is accepted (a bad value is refused and the
 * bot is left untouched), queued like any message, answered once the kernel has it, and checked
 * again when its turn comes (another update may have landed first). Runs in the workflow sandbox.
 */
import * as wf from '@temporalio/workflow';
import { type BotDefinition, checkBotDefinition } from '../core/bot-definition';
import { type BotEvent, type BotState, recordError } from '../core/kernel';
import { checkParamsPatch } from './inbound';
import type { InboxItem } from './messages';

export interface ParamsUpdateDeps {
  readonly definition: BotDefinition;
  /** False while replaying a history recorded before inbound checks: the patch is taken as sent. */
  readonly strict: boolean;
  readonly state: () => BotState;
  readonly setState: (state: BotState) => void;
  readonly enqueue: (item: InboxItem) => void;
  /** Why these params could never trade on the bot's symbol (workflows/start-gate.ts), or null. */
  readonly untradable: (patch: Record<string, unknown>) => string | null;
}

export class ParamsUpdates {
  private requested: number;
  /** Updates the kernel has had (carried across continue-as-new: a waiting caller is answered once). */
  applied: number;

  constructor(
    private readonly deps: ParamsUpdateDeps,
    appliedBefore: number,
  ) {
    this.requested = appliedBefore;
    this.applied = appliedBefore;
  }

  /** The update's handler. */
  async request(patch: Record<string, unknown>): Promise<{ params: unknown }> {
    const seq = ++this.requested;
    this.deps.enqueue({ type: 'params', params: patch, updateSeq: seq });
    await wf.condition(() => this.applied >= seq);
    return { params: this.deps.state().setup.params };
  }

  /** The update's validator: throws, naming the problem, to refuse it. */
  validate(args: readonly unknown[]): void {
    const checked = this.deps.strict ? checkParamsPatch(args) : ({ ok: true, patch: args[0] } as const);
    const problems = checked.ok
      ? (this.problems(checked.patch) ?? this.deps.untradable(checked.patch as Record<string, unknown>))
      : checked.reason;
    if (problems) throw new Error(problems);
  }

  noteApplied(updateSeq: number): void {
    this.applied = Math.max(this.applied, updateSeq);
  }

  merge(patch: Record<string, unknown>): Record<string, unknown> {
    return { ...(this.deps.state().setup.params as Record<string, unknown>), ...patch };
  }

  /** A queued update's kernel event, checked against the params as they are now; null when refused (recorded). */
  toEvent(item: Extract<InboxItem, { type: 'params' }>, now: number): BotEvent | null {
    this.noteApplied(item.updateSeq);
    const result = checkBotDefinition({ ...this.deps.definition, params: this.merge(item.params) });
    if (!result.ok) {
      this.deps.setState(recordError(this.deps.state(), now, `setParams ignored: ${result.problems.join('; ')}`));
      return null;
    }
    return { type: 'params', now, params: result.definition.params };
  }

  private problems(patch: unknown): string | null {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'params must be a JSON object';
    const result = checkBotDefinition({
      ...this.deps.definition,
      params: this.merge(patch as Record<string, unknown>),
    });
    return result.ok ? null : result.problems.join('\n');
  }
}
