/**
 * The worker's environment: every mistake is refused at start with the variable (or file) named,
 * never a bare ENOENT, a silently ignored key or three accounts sharing one key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, accountSettings, temporalSettings, workflowBundlePath } from '../../workers/config';

const paper = (name = 'PAPER', extra: Record<string, string> = {}) => ({
  [`ACCOUNT_${name}_API_KEY`]: 'key123',
  [`ACCOUNT_${name}_API_SECRET`]: 'secret456',
  [`ACCOUNT_${name}_HTTP_BASE`]: 'http://127.0.0.1:1',
  [`ACCOUNT_${name}_WS_BASE`]: 'ws://127.0.0.1:1/ws',
  [`ACCOUNT_${name}_WS_API`]: 'ws://127.0.0.1:1/ws-api/v3',
  ...extra,
});

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('not refused');
};

describe('worker environment', () => {
  it('BINANCE_API_KEY without its secret is refused, not ignored', () => {
    expect(refusal(() => accountSettings({ BINANCE_API_KEY: 'abc' }))).toBe(
      'BINANCE_API_KEY is set but BINANCE_API_SECRET is not: the "binance" account needs both',
    );
    expect(refusal(() => accountSettings({ BINANCE_API_SECRET: 'abc' }))).toMatch(
      /^BINANCE_API_SECRET is set but BINANCE_API_KEY is not/,
    );
    expect(accountSettings({ BINANCE_API_KEY: 'abc', BINANCE_API_SECRET: 'def' }).map((a) => a.name)).toEqual([
      'binance',
    ]);
  });

  it('account names that differ only by case (or - and _) are one account, refused', () => {
    expect(refusal(() => accountSettings({ BOT_ACCOUNTS: 'paper,PAPER,Paper', ...paper() }))).toBe(
      'BOT_ACCOUNTS: "paper" and "PAPER" are the same account (names are compared ignoring case, "-" as "_": both would read ACCOUNT_PAPER_*)',
    );
    expect(refusal(() => accountSettings({ BOT_ACCOUNTS: 'my-acct,my_acct', ...paper('MY_ACCT') }))).toMatch(
      /"my-acct" and "my_acct" are the same account/,
    );
    expect(refusal(() => accountSettings({ BOT_ACCOUNTS: 'bad name', ...paper() }))).toMatch(
      /account name "bad name" must be/,
    );
  });

  it('a key with a stray quote or space from .env is refused, naming the variable', () => {
    expect(
      refusal(() =>
        accountSettings({ BOT_ACCOUNTS: 'paper', ...paper('PAPER', { ACCOUNT_PAPER_API_KEY: '"key123' }) }),
      ),
    ).toMatch(/ACCOUNT_PAPER_API_KEY: contains a quote character/);
    expect(
      refusal(() =>
        accountSettings({ BOT_ACCOUNTS: 'paper', ...paper('PAPER', { ACCOUNT_PAPER_API_SECRET: 'secret456 ' }) }),
      ),
    ).toMatch(/ACCOUNT_PAPER_API_SECRET: contains spaces/);
    expect(refusal(() => accountSettings({ BINANCE_API_KEY: "'abc'", BINANCE_API_SECRET: 'x' }))).toMatch(
      /^BINANCE_API_KEY: contains a quote character/,
    );
    expect(
      refusal(() => accountSettings({ BOT_ACCOUNTS: 'paper', ...paper('PAPER', { ACCOUNT_PAPER_API_SECRET: '' }) })),
    ).toMatch(/ACCOUNT_PAPER_API_SECRET: is required/);
  });

  it('missing TLS files are named by their variable', () => {
    expect(refusal(() => temporalSettings({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_CA: '/nowhere/ca.pem' }))).toBe(
      'TEMPORAL_TLS_CA=/nowhere/ca.pem: cannot read the file (no such file)',
    );
    expect(
      refusal(() => temporalSettings({ TEMPORAL_TLS_CERT: '/nowhere/c.pem', TEMPORAL_TLS_KEY: '/nowhere/k.pem' })),
    ).toBe('TEMPORAL_TLS_CERT=/nowhere/c.pem: cannot read the file (no such file)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    writeFileSync(path.join(dir, 'ca.pem'), 'x');
    expect(
      temporalSettings({
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'),
      }).tls?.serverRootCACertificate?.toString(),
    ).toBe('x');
  });

  it('a missing workflow bundle is named, with how to build it', () => {
    expect(refusal(() => workflowBundlePath({ WORKFLOW_BUNDLE: '/nowhere/bundle.js' }))).toMatch(
      /^WORKFLOW_BUNDLE=\/nowhere\/bundle\.js: no such file \(build it with `npm run build:bundle`/,
    );
    expect(workflowBundlePath({})).toBeUndefined();
  });

  it('a malformed Temporal address is refused', () => {
    expect(refusal(() => temporalSettings({ TEMPORAL_ADDRESS: 'http://localhost:7233' }))).toMatch(
      /TEMPORAL_ADDRESS: must be host:port/,
    );
    expect(temporalSettings({ TEMPORAL_ADDRESS: 'temporal.example.com:7233' }).address).toBe(
      'temporal.example.com:7233',
    );
  });
});
