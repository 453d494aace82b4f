/**
 * Run `workers/main.ts` as a child process (so it can be killed -9 like a power cut), resolved once
 * it polls its task queue.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './temporal-cli';

/**
 * glibc's allocator held to two arenas in the worker's process. By default it gives each thread
 * that allocates its own arena, up to 8 per core, and the worker has many: the SDK's native
 * threads (Rust core, tokio), libuv's pool, the workflow thread. At 1,000 bots that cost
 * ~130-150 MiB of RSS (bench/README.md, eighth pass). Read by glibc at process start only, so it
 * is set where the worker's process is started: here, package.json's `start` and `worker`
 * scripts, the Dockerfile. Ignored by other C libraries (musl, macOS). A value the user set is kept.
 */
export const DEFAULT_WORKER_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** A worker process's environment: `env`, with the defaults it does not set. */
export function workerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const defaults = Object.fromEntries(Object.entries(DEFAULT_WORKER_PROCESS_ENV).filter(([k]) => env[k] === undefined));
  return { ...env, ...defaults };
}

export async function spawnWorkerProcess(env: NodeJS.ProcessEnv, logFile?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'workers/main.ts')], {
    cwd: PROJECT_ROOT,
    env: workerProcessEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process did not start within 60 s:\n${output}`)), 60_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code}:\n${output}`));
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('polling')) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve();
      }
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', onExit);
  });
  if (log) {
    log.write(output);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  return child;
}

/** kill -9 and wait for the process to be gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}
