/**
 * One Temporal service (frontend, history, matching or the internal worker) as its own operating
 * system process: `server --root <config> --config <service> start --service <service>`. It can be
 * stopped cleanly, killed -9 and started again on the same ports, like a pod being rescheduled.
 *
 * Each live service leaves a pid file in `<home>/run/`; a launcher that was itself killed -9 leaves
 * its services running, and the next start on the same home ends exactly those (endLeftoverService:
 * no process it cannot prove it started, the pid's command line must name this home's config).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ServiceName } from './config';

export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** How many times this service was started (1 = the first start). */
  starts = 0;

  constructor(
    readonly name: ServiceName,
    private readonly serverBin: string,
    private readonly configRoot: string,
    private readonly home: string,
    /** The port that shows it is up: gRPC, or membership for the internal worker (it serves no gRPC). */
    readonly readyPort: number,
  ) {}

  get pid(): number | null {
    return this.child && this.child.exitCode === null && this.child.signalCode === null
      ? (this.child.pid ?? null)
      : null;
  }

  private get pidFile(): string {
    return path.join(this.home, 'run', `${this.name}.pid`);
  }

  /** Spawn the process and resolve once its gRPC port accepts connections. */
  async start(): Promise<void> {
    if (this.pid) return;
    mkdirSync(path.dirname(this.pidFile), { recursive: true });
    // The server's own log goes to logs/<service>.log (config); this catches what it prints before.
    const out = createWriteStream(path.join(this.home, 'logs', `${this.name}.out`), { flags: 'a' });
    const child = spawn(
      this.serverBin,
      [
        '--root',
        this.configRoot,
        '--config',
        this.name,
        '--env',
        'development',
        '--allow-no-auth',
        'start',
        '--service',
        this.name,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: this.home,
      },
    );
    let early = '';
    const collect = (chunk: Buffer) => {
      early = (early + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    this.child = child;
    this.starts++;
    // Never leave a service behind when this process ends normally or on an error.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.removeListener('exit', reap);
        resolve();
      }),
    );
    writeFileSync(this.pidFile, `${child.pid}\n`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `temporal ${this.name} service exited (${child.exitCode ?? child.signalCode}):\n${early}\n${this.logTail()}`,
        );
      if (await portOpen(this.readyPort)) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `temporal ${this.name} service did not listen on 127.0.0.1:${this.readyPort} within 60 s:\n${early}\n${this.logTail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** kill -9: the crash of a machine or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.pid) return;
    child.kill('SIGKILL');
    await this.exited;
    rmSync(this.pidFile, { force: true });
  }

  /**
   * SIGTERM (the server drains and leaves the membership ring), SIGKILL after a grace period.
   * Resolves true when it exited on its own.
   */
  async stop(graceMs = 20_000): Promise<boolean> {
    const child = this.child;
    if (!child || !this.pid) return true;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!done) {
      child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.pidFile, { force: true });
    return done;
  }

  logTail(lines = 15): string {
    try {
      return readFileSync(path.join(this.home, 'logs', `${this.name}.log`), 'utf8')
        .trim()
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * End the `name` service a launcher of `home` left running: only the pid of its pid file, and only
 * if that process's command line names this home's config (a recycled pid is left alone).
 */
export function endLeftoverService(home: string, name: ServiceName): void {
  const pidFile = path.join(home, 'run', `${name}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!pid) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // gone already
  }
  if (!cmdline.includes(path.join(home, 'config')) || !cmdline.includes(name)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone meanwhile */
  }
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
