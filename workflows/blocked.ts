/**
 * A bot that cannot trade says so. Before its first decision a bot asks its worker whether it can
 * trade at all (activities/preflight.ts: account, symbol, key, filters); if not it shows status
 * BLOCKED with the reason — in `state`, the BotStatus search attribute and its memo — trades
 * nothing, and checks again every few minutes or when its params change. A bot already trading
 * becomes BLOCKED when the exchange refuses its key or its worker lacks its account, and clears
 * when a reconciliation succeeds again. Workflow-side; failures are read by ./failures.ts.
 */
import type { PreflightProblem, PreflightResult } from '../activities/preflight';
import { FailureType } from './failure-types';
import { applicationCause } from './failures';
import type { BlockedReason } from './messages';

/** Default pause between two checks of a BLOCKED bot. */
export const DEFAULT_BLOCKED_RECHECK_MS = 5 * 60_000;

export function blockedFromProblems(problems: readonly PreflightProblem[], now: number): BlockedReason {
  return {
    since: now,
    kind: problems[0]?.kind ?? 'unknown',
    reason: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
  };
}

/**
 * The failure of an exchange activity that means the bot cannot trade at all (as opposed to one
 * order refused): the key refused, or this worker without the bot's account.
 */
export function blockedFromFailure(err: unknown, now: number): BlockedReason | null {
  const cause = applicationCause(err);
  if (!cause) return null;
  if (cause.type === FailureType.CredentialsRejected)
    return { since: now, kind: 'credentials', reason: `the exchange refused the account's API key: ${cause.message}` };
  if (cause.type === FailureType.InvalidRequest && /not configured on this worker/.test(cause.message))
    return { since: now, kind: 'account', reason: cause.message };
  return null;
}

/** Kinds a successful exchange call proves wrong (the key works, the account is there). */
export function clearedByExchangeSuccess(blocked: BlockedReason | null): boolean {
  return blocked !== null && (blocked.kind === 'credentials' || blocked.kind === 'account');
}

export interface BlockedPhase {
  /** Run the check; null when it could not be made (the exchange unreachable): not a reason to block. */
  readonly check: () => Promise<PreflightResult | null>;
  readonly setBlocked: (blocked: BlockedReason | null) => void;
  /** Apply params changed while blocked; true when some were. */
  readonly applyPendingParams: () => boolean;
  /** Resolves true when params changed, false when the recheck time came. */
  readonly waitForRecheck: (ms: number) => Promise<boolean>;
  readonly continueAsNewDue: () => boolean;
  readonly now: () => number;
  readonly recheckMs: number;
}

export type BlockedOutcome =
  { readonly kind: 'ready'; readonly result: PreflightResult | null } | { readonly kind: 'continueAsNew' };

/** Check until the bot can trade (or its run must roll over); cancellation propagates to the caller. */
export async function untilTradable(phase: BlockedPhase): Promise<BlockedOutcome> {
  for (;;) {
    const result = await phase.check();
    if (!result || result.problems.length === 0) {
      phase.setBlocked(null);
      return { kind: 'ready', result };
    }
    phase.setBlocked(blockedFromProblems(result.problems, phase.now()));
    if (!phase.applyPendingParams()) await phase.waitForRecheck(phase.recheckMs);
    phase.applyPendingParams();
    if (phase.continueAsNewDue()) return { kind: 'continueAsNew' };
  }
}
