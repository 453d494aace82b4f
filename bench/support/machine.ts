/**
 * What a figure was measured on and under what load: the machine (nproc, memory, CPU model), and
 * per process the resident memory and CPU time read from /proc (Linux only, like the target Pi).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly memTotalMiB: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly commit: string | null;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = safeRead('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism(),
    memTotalMiB: Math.round(os.totalmem() / 1024 / 1024),
    cpuModel: model,
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    commit: git(['rev-parse', '--short', 'HEAD']),
  };
}

/** Load at the moment a figure is taken, and whether the long torture run shares the CPU. */
export interface LoadInfo {
  readonly loadavg1: number;
  readonly tortureRunning: boolean;
}

export function loadInfo(): LoadInfo {
  return { loadavg1: Math.round(os.loadavg()[0]! * 100) / 100, tortureRunning: tortureRunning() };
}

export function tortureRunning(): boolean {
  try {
    const out = execFileSync('pgrep', ['-f', 'torture.ts --kills'], { encoding: 'utf8' });
    return out.trim().length > 0;
  } catch {
    return false; // pgrep exits 1 when nothing matches
  }
}

const PAGE_TICKS = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** Resident set size in MiB (VmRSS), or null when the process is gone. */
export function rssMiB(pid: number): number | null {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(safeRead(`/proc/${pid}/status`));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
}

/** CPU time (user + system) the process has used so far, in seconds; null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  const stat = safeRead(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name may contain spaces: fields start after the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / PAGE_TICKS;
}

/**
 * Samples the peak RSS of some processes every `everyMs` while a measurement runs (the RSS read at
 * the end alone would miss the burst's peak).
 */
export class PeakRss {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => readonly number[],
    everyMs = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const pid of this.pids()) {
      const rss = rssMiB(pid);
      if (rss !== null) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, rss));
    }
  }

  stop(): Map<number, number> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }
}

/** CPU use of a process over a window, as a share of one core (1.0 = one core busy). */
export class CpuWindow {
  private readonly start: number | null;
  private readonly t0 = performance.now();

  constructor(private readonly pid: number) {
    this.start = cpuSeconds(pid);
  }

  cores(): number | null {
    const end = cpuSeconds(this.pid);
    const wall = (performance.now() - this.t0) / 1000;
    if (end === null || this.start === null || wall <= 0) return null;
    return Math.round(((end - this.start) / wall) * 100) / 100;
  }
}

/**
 * CPU seconds used by a group of processes from now on (several workers, a cluster's services,
 * PostgreSQL's backends). The group is read again at the end: a process that started meanwhile
 * counts whole, one that ended meanwhile is missing its last part.
 */
export class GroupCpu {
  private readonly start: Map<number, number>;
  private readonly t0 = performance.now();

  constructor(private readonly pids: () => readonly number[]) {
    this.start = new Map(pids().map((p) => [p, cpuSeconds(p) ?? 0]));
  }

  seconds(): number {
    let total = 0;
    for (const p of this.pids()) total += (cpuSeconds(p) ?? 0) - (this.start.get(p) ?? 0);
    return total;
  }

  /** Average cores busy since the start (1.0 = one core), or null when nothing was measured. */
  cores(): number | null {
    const wall = (performance.now() - this.t0) / 1000;
    return wall > 0 && this.pids().length > 0 ? Math.round((this.seconds() / wall) * 100) / 100 : null;
  }
}

/** Sum of the resident set sizes of processes (MiB), or null when none is alive. */
export function rssSumMiB(pids: readonly number[]): number | null {
  const values = pids.map(rssMiB).filter((x): x is number => x !== null);
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) * 10) / 10;
}

/**
 * Sum of the proportional set sizes (MiB): shared pages split between the processes sharing them,
 * so PostgreSQL's shared buffers count once across its backends instead of once per backend.
 */
export function pssSumMiB(pids: readonly number[]): number | null {
  let total = 0;
  let seen = 0;
  for (const pid of pids) {
    const m = /^Pss:\s+(\d+) kB$/m.exec(safeRead(`/proc/${pid}/smaps_rollup`));
    if (!m) continue;
    total += Number(m[1]);
    seen++;
  }
  return seen === 0 ? null : Math.round((total / 1024) * 10) / 10;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
