/**
 * Errors of the Temporal client turned into sentences that say what failed and where: the server's
 * address when it cannot be reached, the payload's size when it is too large, the validator's own
 * words when an update is refused — instead of "Failed to connect before the deadline", "Failed to
 * start Workflow" or "Workflow Update failed".
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';

export class BotCommandError extends Error {
  override name = 'BotCommandError';
}

/** Where a Temporal call went, for the message. */
export interface CallContext {
  /** What was attempted: `start bot "x"`, `setParams of bot "x"`, ... */
  readonly what: string;
  readonly address?: string;
  readonly namespace?: string;
  /** Size of what was sent, when it is known (start input, signal, update). */
  readonly payloadBytes?: number;
  /** The call ran past a deadline we set (a cancelled call then means no answer in time). */
  readonly deadlinePassed?: boolean;
}

function messages(err: unknown): string[] {
  const out: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m !== '' && !out.includes(m)) out.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * A call that ran out of time on a live connection is not an unreachable server, although gRPC's
 * text for it lists its phases ("Deadline exceeded after 5s,name resolution: 0.001s,...").
 */
function isCallDeadline(m: string): boolean {
  return /DEADLINE_EXCEEDED|Deadline exceeded after/i.test(m) && !/Failed to connect before the deadline/i.test(m);
}

export function isUnreachable(err: unknown): boolean {
  return messages(err).some(
    (m) =>
      !isCallDeadline(m) &&
      /Failed to connect before the deadline|ECONNREFUSED|UNAVAILABLE|connection refused|Name resolution|ENOTFOUND|getaddrinfo|DNS/i.test(
        m,
      ),
  );
}

export function isPayloadTooLarge(err: unknown): boolean {
  return messages(err).some((m) =>
    /Blob data size exceeds limit|RESOURCE_EXHAUSTED.*(size|message larger)|message larger than max|exceeds limit/i.test(
      m,
    ),
  );
}

/** One line (or a few) a person can act on. */
export function explainTemporalError(err: unknown, ctx: CallContext): string {
  if (err instanceof BotCommandError) return err.message;
  const all = messages(err);
  const prefix = ctx.what ? `${ctx.what}: ` : '';
  const where = ctx.address
    ? ` at ${ctx.address}${ctx.namespace && ctx.namespace !== 'default' ? ` (namespace ${ctx.namespace})` : ''}`
    : '';
  if (isUnreachable(err)) {
    return `${prefix}cannot reach Temporal${where} (set by TEMPORAL_ADDRESS): ${all[0] ?? 'no answer'}. Is the server running? (\`npm start\` runs a local one)`;
  }
  if (isPayloadTooLarge(err)) {
    const size = ctx.payloadBytes !== undefined ? `${formatBytes(ctx.payloadBytes)} ` : '';
    return `${prefix}the payload ${size}is larger than the Temporal server${where} accepts (2 MB by default): ${all[all.length - 1]}`;
  }
  if (err instanceof WorkflowUpdateFailedError) {
    return `${ctx.what} refused: ${all.slice(1).join(': ') || all[0]}`;
  }
  if (
    all.some((m) => /deadline exceeded|DEADLINE_EXCEEDED/i.test(m)) ||
    (ctx.deadlinePassed && all.some((m) => /CANCELLED|Call cancelled/i.test(m)))
  ) {
    return `${prefix}no answer in time${where}; its worker may be down or its workflow task failing (see \`temporal workflow describe\`)`;
  }
  return `${prefix}${all.join(': ') || String(err)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `(${n} bytes)`;
  if (n < 1024 * 1024) return `(${(n / 1024).toFixed(1)} KB)`;
  return `(${(n / 1024 / 1024).toFixed(1)} MB)`;
}
