/**
 * `npm run cluster` as a user runs it: it comes up, Ctrl-C stops every service cleanly and
 * PostgreSQL with them (no process left), and running it again on the same home reuses the
 * database — the same ports, the same schema, and a workflow started before is still running with
 * the same run id. Its own home and ports, beside the run's shared cluster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { TemporalCluster, freeBasePort } from '../../infra/cluster/cluster';
import { PROJECT_ROOT } from '../../infra/temporal-cli';

const HOME = path.join(PROJECT_ROOT, 'data', 'test-cluster-restart');
const children: ChildProcess[] = [];

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly pids: number[];
}

/** Start `npm run cluster` (the script itself) and wait for its ready line. */
async function startScript(port: number): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/cluster.ts'), '--home', HOME, '--port', String(port)],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Ctrl-C stops the cluster')) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm run cluster exited with ${code}:\n${out}`));
    });
  });
  const pids = readdirSync(path.join(HOME, 'run')).map((f) => Number(readFileSync(path.join(HOME, 'run', f), 'utf8')));
  return { child, output: () => out, pids };
}

async function ctrlC(r: Running): Promise<number | null> {
  const code = new Promise<number | null>((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGINT');
  return code;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT');
});

describe('npm run cluster', () => {
  it('stops cleanly on Ctrl-C and reuses its database when run again', async () => {
    TemporalCluster.endLeftovers(HOME);
    rmSync(HOME, { recursive: true, force: true });
    const port = await freeBasePort();
    const first = await startScript(port);
    expect(first.output()).toContain('creating database temporal');
    expect(first.pids).toHaveLength(4);

    const address = `127.0.0.1:${port}`;
    let connection = await Connection.connect({ address });
    let client = new Client({ connection });
    // No worker polls this queue: the workflow stays running, with its first task waiting.
    const handle = await client.workflow.start('restartProbe', {
      workflowId: 'restart-probe',
      taskQueue: 'no-worker-here',
    });
    await connection.close();

    expect(await ctrlC(first)).toBe(0);
    expect(first.output()).toMatch(/Temporal cluster stopped cleanly, and PostgreSQL/);
    expect(first.pids.filter(alive)).toEqual([]);
    expect(existsSync(path.join(HOME, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = await startScript(port);
    expect(second.output()).not.toContain('creating database');
    expect(second.output()).not.toContain('schema 0.0');
    connection = await Connection.connect({ address });
    client = new Client({ connection });
    const described = await client.workflow.getHandle('restart-probe').describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.runId).toBe(handle.firstExecutionRunId);
    await client.workflow.getHandle('restart-probe').terminate('test over');
    await connection.close();
    expect(await ctrlC(second)).toBe(0);
    expect(second.pids.filter(alive)).toEqual([]);
  }, 180_000);
});
