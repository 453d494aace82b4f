/**
 * Telling, from inside a bot workflow, that its history was reset (`temporal workflow reset`, the
 * Web UI's Reset button), deterministically.
 *
 * A reset copies a run's history up to a workflow task, fails that task with cause "reset" and
 * continues in a new run. Workflow code sees nothing of it directly. What it can see: Temporal
 * reseeds the workflow's random generator at every reset point, with a seed derived from the new
 * run's id (sdk-core: `UpdateRandomSeed` when it meets a WorkflowTaskFailed event of cause
 * ResetWorkflow). The seed is a pure function of the history, so a replay sees the same seed
 * changes at the same events: a decision taken on a seed change replays identically. Checked with
 * real `temporal workflow reset` commands (every type, first runs and continued runs) against the
 * dev server; tests/integration/resets.test.ts keeps it checked.
 *
 * - In a run, a seed different from the one seen at the previous check: a reset point was passed.
 * - At the start of a run, a seed that is not the one Temporal derives from the run's
 *   `originalExecutionRunId` (SipHash-1-3 of it, as sdk-core does): the run was reset to its very
 *   first workflow task (the FirstWorkflowTask and LastContinuedAsNew types).
 *
 * The seed is read from the SDK's workflow activator (no public accessor exists). If a future SDK
 * moves it, `available` turns false: the workflow then never detects a reset, and the order
 * activities look every order up before its first send instead (slower, still exactly-once).
 */
import { maybeGetActivator } from '@temporalio/workflow/lib/global-attributes';
import * as wf from '@temporalio/workflow';

/** The workflow's current random seed as a string, or null when the SDK does not expose it. */
export function currentSeedKey(): string | null {
  const seed = (maybeGetActivator() as { randomnessSeed?: unknown } | undefined)?.randomnessSeed;
  if (!Array.isArray(seed) || seed.length === 0 || !seed.every((b) => typeof b === 'number')) return null;
  return seed.join(',');
}

export class ResetWatch {
  private lastSeed: string | null;
  /** The run itself began after a reset to its first workflow task. */
  readonly resetAtStart: boolean;
  readonly available: boolean;

  constructor() {
    this.lastSeed = currentSeedKey();
    this.available = this.lastSeed !== null;
    const info = wf.workflowInfo();
    this.resetAtStart =
      this.lastSeed !== null &&
      info.runId !== info.originalExecutionRunId &&
      this.lastSeed !== seedKeyOfRun(info.originalExecutionRunId);
  }

  /** The seed the workflow runs with now (the branch's identity), or the run id when unavailable. */
  get seed(): string {
    return this.lastSeed ?? wf.workflowInfo().runId;
  }

  /** True once per reset point passed since the last call (cheap: safe in a condition function). */
  changed(): boolean {
    const now = currentSeedKey();
    return now !== null && now !== this.lastSeed;
  }

  /** Acknowledge a change seen by `changed()`. */
  acknowledge(): void {
    this.lastSeed = currentSeedKey() ?? this.lastSeed;
  }
}

/** The seed Temporal gives a run that was never reset: SipHash-1-3 (zero keys) of its run id, big-endian bytes. */
export function seedKeyOfRun(runId: string): string {
  // Run ids are ASCII (UUIDs); Rust's `Hash for str` appends 0xff to the bytes.
  const bytes = [...runId].map((c) => c.charCodeAt(0) & 0xff).concat(0xff);
  const h = sipHash13(bytes);
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((h >> BigInt(8 * i)) & 0xffn));
  return out.join(',');
}

const MASK = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK;

function sipHash13(bytes: readonly number[]): bigint {
  let v0 = 0x736f6d6570736575n;
  let v1 = 0x646f72616e646f6dn;
  let v2 = 0x6c7967656e657261n;
  let v3 = 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & MASK;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const len = bytes.length;
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(bytes[i + j]!);
    v3 ^= m;
    round();
    v0 ^= m;
  }
  let last = BigInt(len & 0xff) << 56n;
  for (let j = len - 1; j >= i; j--) last |= BigInt(bytes[j]!) << BigInt(8 * (j - i));
  v3 ^= last;
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK;
}
