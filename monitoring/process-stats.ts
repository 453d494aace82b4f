/**
 * Resource samples for the alert rules: the worker's resident memory and the machine's CPU busy
 * share (all cores, like `top`'s summary line and psutil's cpu_percent, which seed 003 used), kept
 * over a window so "CPU over 90 % sustained" means every sample of the window was over it.
 */
import os from 'node:os';

export interface CpuSample {
  readonly at: number;
  /** Busy share of all cores since the previous sample, 0-100. */
  readonly pct: number;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export class ProcessStats {
  private last = cpuTimes();
  private readonly samples: CpuSample[] = [];
  private startedAt: number;

  constructor(
    private readonly keepMs = 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** Take a CPU sample (call at a steady pace, e.g. each monitor tick). */
  sample(): CpuSample | null {
    const cur = cpuTimes();
    const dTotal = cur.total - this.last.total;
    const dIdle = cur.idle - this.last.idle;
    this.last = cur;
    if (dTotal <= 0) return null;
    const s = { at: this.now(), pct: Math.max(0, Math.min(100, (100 * (dTotal - dIdle)) / dTotal)) };
    this.samples.push(s);
    const cutoff = s.at - this.keepMs;
    while (this.samples.length > 0 && this.samples[0]!.at < cutoff) this.samples.shift();
    return s;
  }

  latestCpuPct(): number | null {
    return this.samples[this.samples.length - 1]?.pct ?? null;
  }

  /**
   * The lowest CPU share over the last `windowMs`, or null while the samples do not cover the
   * window yet (a worker that just started has not been "sustained" anything).
   */
  cpuFloor(windowMs: number): number | null {
    const t = this.now();
    if (t - this.startedAt < windowMs) return null;
    const recent = this.samples.filter((s) => s.at >= t - windowMs);
    if (recent.length === 0) return null;
    return Math.min(...recent.map((s) => s.pct));
  }

  rssBytes(): number {
    return process.memoryUsage.rss();
  }
}
