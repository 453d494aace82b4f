/**
 * A pool of worker threads that run evaluations (thread.ts): one backtest per thread at a time,
 * tasks queued in order, results returned in the order asked whatever order they finish in. The
 * backtester is pure TypeScript, so threads need nothing but the TypeScript loader (tsx).
 *
 * Idle threads are unref'd: a pool never keeps a process alive on its own.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DatasetRef } from './datasets';
import type { EvalJob, EvalTask, Evaluation } from './evaluate';

export interface PoolRequest {
  readonly id: number;
  readonly dataset: DatasetRef;
  /** The data set's expected digest; a thread that loads other data refuses. */
  readonly digest?: string;
  readonly job: EvalJob;
  readonly task: EvalTask;
}

export type PoolResponse =
  | { readonly id: number; readonly result: Evaluation }
  | { readonly id: number; readonly error: string; readonly dataset: boolean };

export class PoolError extends Error {
  constructor(
    message: string,
    /** The data set could not be loaded (or differs): retrying elsewhere will not help here. */
    readonly dataset: boolean,
  ) {
    super(message);
    this.name = dataset ? 'DatasetError' : 'PoolError';
  }
}

interface Pending {
  readonly req: PoolRequest;
  readonly resolve: (e: Evaluation) => void;
  readonly reject: (e: Error) => void;
}

const THREAD_ENTRY = path.join(__dirname, 'thread.ts');

/** Threads start through tsx's CommonJS hook (a plain `--import tsx` does not reach a thread's entry on Node 20). */
function bootstrap(): string {
  return `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(THREAD_ENTRY)});`;
}

export function defaultThreads(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export class EvalPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(readonly threads: number = defaultThreads()) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads: a whole number ≥ 1, got ${threads}`);
  }

  private spawn(): Worker {
    const w = new Worker(bootstrap(), { eval: true });
    w.on('message', (res: PoolResponse) => this.onMessage(w, res));
    w.on('error', (err) => this.onCrash(w, err));
    w.on('exit', (code) => {
      if (!this.closed && code !== 0) this.onCrash(w, new Error(`evaluation thread exited with ${code}`));
    });
    this.all.push(w);
    return w;
  }

  run(dataset: DatasetRef, job: EvalJob, task: EvalTask, digest?: string): Promise<Evaluation> {
    if (this.closed) return Promise.reject(new Error('evaluation pool closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({
        req: { id: this.nextId++, dataset, job, task, ...(digest !== undefined ? { digest } : {}) },
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Evaluate every task; `onDone` after each one finishes (progress bars). Results in task order. */
  runAll(
    dataset: DatasetRef,
    job: EvalJob,
    tasks: readonly EvalTask[],
    onDone?: (done: number) => void,
    digest?: string,
  ): Promise<Evaluation[]> {
    let done = 0;
    return Promise.all(
      tasks.map((t) =>
        this.run(dataset, job, t, digest).then((r) => {
          onDone?.(++done);
          return r;
        }),
      ),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w) {
        if (this.all.length >= this.threads) return;
        w = this.spawn();
      }
      const p = this.queue.shift()!;
      this.running.set(w, p);
      w.ref();
      w.postMessage(p.req);
    }
  }

  private onMessage(w: Worker, res: PoolResponse): void {
    const p = this.running.get(w);
    this.running.delete(w);
    this.idle.push(w);
    w.unref();
    if (p) {
      if ('result' in res) p.resolve(res.result);
      else p.reject(new PoolError(res.error, res.dataset));
    }
    this.pump();
  }

  private onCrash(w: Worker, err: Error): void {
    const p = this.running.get(w);
    this.running.delete(w);
    const i = this.all.indexOf(w);
    if (i >= 0) this.all.splice(i, 1);
    const j = this.idle.indexOf(w);
    if (j >= 0) this.idle.splice(j, 1);
    p?.reject(new PoolError(`evaluation thread failed: ${err.message}`, false));
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('evaluation pool closed'));
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.splice(0);
    this.idle.splice(0);
  }
}
