/**
 * The worker process (`npm run worker`) with a wrong environment: it stops at start with one line
 * naming the variable, file or address, and a non-zero exit (so systemd or Docker show why).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function runWorker(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(TEMPORAL_|BOT_ACCOUNTS|ACCOUNT_|BINANCE_|WORKFLOW_BUNDLE|TELEGRAM_|NOTIFY_|ALERT|BREAKER_|METRICS_)/.test(
          k,
        ),
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(timer), resolve({ code, output }))));
}

describe.concurrent('the worker refuses a wrong environment at start, naming it', () => {
  it.each([
    [
      'a key with a stray quote from .env',
      { BINANCE_API_KEY: "'abc123'", BINANCE_API_SECRET: 'def456' },
      /^worker not started: BINANCE_API_KEY: contains a quote character/m,
    ],
    [
      'a key without its secret',
      { BINANCE_API_KEY: 'abc123' },
      /^worker not started: BINANCE_API_KEY is set but BINANCE_API_SECRET is not/m,
    ],
    [
      'accounts that differ only by case',
      { BOT_ACCOUNTS: 'paper,PAPER,Paper' },
      /^worker not started: BOT_ACCOUNTS: "paper" and "PAPER" are the same account/m,
    ],
    [
      'a missing CA file',
      { TEMPORAL_TLS: 'true', TEMPORAL_TLS_CA: '/nowhere/ca.pem' },
      /^worker not started: TEMPORAL_TLS_CA=\/nowhere\/ca\.pem: cannot read the file \(no such file\)/m,
    ],
    [
      'a missing workflow bundle',
      { WORKFLOW_BUNDLE: '/nowhere/bundle.js' },
      /^worker not started: WORKFLOW_BUNDLE=\/nowhere\/bundle\.js: no such file/m,
    ],
    [
      'Temporal down',
      { TEMPORAL_ADDRESS: '127.0.0.1:1' },
      /^worker not started: cannot reach Temporal at 127\.0\.0\.1:1 \(set by TEMPORAL_ADDRESS\)/m,
    ],
    // Issue 15's settings: checked before the worker connects anywhere (Temporal down here to prove it).
    [
      'a breaker threshold that is not a number',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', BREAKER_FAILURES: 'five' },
      /^worker not started: invalid circuit breaker settings:\nBREAKER_FAILURES: /m,
    ],
    [
      'a metrics port that is not a port',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', METRICS_PORT: 'abc' },
      /^worker not started: METRICS_PORT: must be a port number or "off", got "abc"/m,
    ],
    [
      'a stream delivery that does not exist',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', STREAM_DELIVERY: 'updates' },
      /^worker not started: STREAM_DELIVERY: "updates" is not one of update, signal/m,
    ],
    [
      'a Temporal metrics address without a port',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_METRICS_BIND: 'localhost' },
      /^worker not started: TEMPORAL_METRICS_BIND: expected host:port/m,
    ],
    [
      'an alert threshold that is not a number',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', ALERT_CPU_PCT: 'lots' },
      /^worker not started: invalid alert settings:\nALERT_CPU_PCT: /m,
    ],
    [
      'a Telegram token without allowed chats',
      { TEMPORAL_ADDRESS: '127.0.0.1:1', TELEGRAM_BOT_TOKEN: '123456789:AAEabcdefghijklmnopqrstuvwxyz012345' },
      /^worker not started: TELEGRAM_ALLOWED_CHATS: required with TELEGRAM_BOT_TOKEN/m,
    ],
  ])('%s', async (_what, env, message) => {
    const { code, output } = await runWorker(env);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/ENOENT|at .*\.ts:\d+/); // one clear line, no stack trace
    expect(code).toBe(1);
  });
});
