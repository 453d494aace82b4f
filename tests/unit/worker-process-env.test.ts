/**
 * The worker process's environment (infra/worker-process.ts): two malloc arenas unless the user set
 * a number, the same default wherever the worker's process is started.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/temporal-cli';
import { DEFAULT_WORKER_PROCESS_ENV, workerProcessEnv } from '../../infra/worker-process';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

describe('worker process environment', () => {
  it('holds glibc to two malloc arenas, keeping everything else', () => {
    expect(DEFAULT_WORKER_PROCESS_ENV).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(workerProcessEnv({ PATH: '/bin', TEMPORAL_ADDRESS: 'x:7233' })).toEqual({
      PATH: '/bin',
      TEMPORAL_ADDRESS: 'x:7233',
      MALLOC_ARENA_MAX: '2',
    });
  });

  it("keeps the user's own value", () => {
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });

  it('is the default of every way the worker process starts: npm start, npm run worker, the image, systemd', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const value = DEFAULT_WORKER_PROCESS_ENV.MALLOC_ARENA_MAX!;
    expect(scripts.start).toBe(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${value}} tsx scripts/start.ts`);
    expect(scripts.worker).toBe(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${value}} tsx workers/main.ts`);
    expect(read('Dockerfile')).toMatch(new RegExp(`^ENV .*\\bMALLOC_ARENA_MAX=${value}\\b`, 'm'));
    expect(read('deploy/bots-worker.service')).toMatch(new RegExp(`^Environment=MALLOC_ARENA_MAX=${value}$`, 'm'));
  });
});
