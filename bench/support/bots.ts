/**
 * Helpers shared by the scenarios with many bots: waiting for quiet, emitting a candle and
 * collecting each bot's reaction to it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSeconds } from './machine';
import { type BenchStack, slugOf } from './stack';

export const SYMBOL = 'BTCUSDT';

/**
 * Wait until the given processes are (nearly) idle: every bot has finished what the last burst
 * started (placements, their fill reports, reconciliations). Idle = under `threshold` of a core
 * over a `windowMs` window. Gives up after `maxMs` (returns false).
 */
export async function quiet(
  pids: readonly number[],
  o: { threshold?: number; windowMs?: number; maxMs?: number } = {},
): Promise<boolean> {
  const threshold = o.threshold ?? 0.08;
  const windowMs = o.windowMs ?? 500;
  const deadline = Date.now() + (o.maxMs ?? 30_000);
  while (Date.now() < deadline) {
    const before = pids.map((p) => cpuSeconds(p) ?? 0);
    await sleep(windowMs);
    const busy = pids.some((p, i) => ((cpuSeconds(p) ?? 0) - before[i]!) / (windowMs / 1000) > threshold);
    if (!busy) return true;
  }
  return false;
}

export interface BurstOutcome {
  /** performance.now() when the candle was emitted. */
  readonly emittedAt: number;
  /** ms from emission to each bot's first order after it, by bot slug. */
  readonly reactions: Map<string, number>;
}

/**
 * Emit one closed candle and wait until every bot in `slugs` has placed an order after it, or the
 * timeout. With `stallMs`, give up early once no bot answered for that long (a lost candle: the
 * caller decides whether to emit another). Emitting again while bots are merely slow would only
 * pile bursts up.
 */
export async function candleBurst(
  stack: BenchStack,
  slugs: ReadonlySet<string>,
  timeoutMs: number,
  o: { emitAt?: () => void; since?: number; stallMs?: number } = {},
): Promise<BurstOutcome> {
  const mark = stack.arrivals.length;
  const reactions = new Map<string, number>();
  let scanned = mark;
  const since = o.since ?? performance.now();
  let lastNews = performance.now();
  const scan = () => {
    for (; scanned < stack.arrivals.length; scanned++) {
      const a = stack.arrivals[scanned]!;
      const slug = slugOf(a.clientOrderId);
      if (slugs.has(slug) && !reactions.has(slug)) {
        reactions.set(slug, a.t - since);
        lastNews = performance.now();
      }
    }
    return reactions.size >= slugs.size;
  };
  if (o.emitAt) o.emitAt();
  else stack.exchange.market.closeCandle(SYMBOL, '1m');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    if (await stack.waitFor(scan, Math.min(left, 1_000))) break;
    if (o.stallMs !== undefined && performance.now() - lastNews > o.stallMs) break;
  }
  scan();
  return { emittedAt: since, reactions };
}
