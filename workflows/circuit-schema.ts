/**
 * The `circuitBreaker` signal's payload and the breaker view a run carries over, checked like every
 * other input of a bot (GUIDE: signals are untrusted — anyone with the Web UI can send one): a
 * malformed one is refused with the reason and never reaches the `state` query or the next run.
 * Pure (zod only), so the client, the control API and the workflow share it.
 */
import { z } from 'zod';
import { formatIssues } from '../core/schema';
import type { CircuitView } from './circuit';

const epochMs = z.number({ error: 'must be a time in ms since 1970' }).int({ message: 'must be a whole number of ms' }).min(0, { message: 'must not be negative' }).max(8.64e15, { message: 'is beyond any date' });

export const circuitViewSchema = z
  .object({
    account: z.string({ error: 'must be an account name' }).min(1).max(64),
    state: z.enum(['closed', 'open', 'half-open'], { error: 'must be closed, open or half-open' }),
    consecutiveFailures: z.number({ error: 'must be a count' }).int().min(0).max(1e9),
    openedAt: epochMs.nullable(),
    since: epochMs,
    lastError: z.string({ error: 'must be text or null' }).max(2_000).nullable(),
    opens: z.number({ error: 'must be a count' }).int().min(0).max(1e9),
  })
  .strict();

export type CircuitCheck = { readonly ok: true; readonly view: CircuitView } | { readonly ok: false; readonly reason: string };

/** The signal's arguments: exactly one breaker snapshot. */
export function checkCircuitSignal(args: readonly unknown[]): CircuitCheck {
  if (args.length !== 1) return { ok: false, reason: args.length === 0 ? 'no input: it takes one breaker snapshot {account, state, ...}' : `${args.length} inputs: it takes one breaker snapshot` };
  return checkCircuitView(args[0]);
}

export function checkCircuitView(value: unknown): CircuitCheck {
  const parsed = circuitViewSchema.safeParse(value);
  return parsed.success ? { ok: true, view: parsed.data } : { ok: false, reason: formatIssues(parsed.error).join('; ') };
}
