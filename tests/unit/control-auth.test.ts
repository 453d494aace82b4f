/**
 * The control API's credentials and login sessions, without a server: where credentials come from
 * (never a default), the scrypt check, the generated file (mode 600, the password's hash only), and
 * refresh-token rotation, reuse detection, revocation, expiry and persistence (digests only).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CredentialsError, hashPassword, resolveCredentials, verifyLogin } from '../../api/credentials';
import { SessionStore } from '../../api/sessions';

const dir = mkdtempSync(path.join(os.tmpdir(), 'control-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 's'.repeat(40);

describe('control API credentials', () => {
  it('refuses to start without credentials, or with some of them, and names what is missing', async () => {
    await expect(resolveCredentials({ env: {} })).rejects.toThrow(
      /CONTROL_USERNAME, CONTROL_PASSWORD, CONTROL_JWT_SECRET.*no default password/,
    );
    await expect(resolveCredentials({ env: { CONTROL_USERNAME: 'me' } })).rejects.toThrow(
      'CONTROL_PASSWORD, CONTROL_JWT_SECRET missing',
    );
    await expect(
      resolveCredentials({ env: { CONTROL_USERNAME: 'me', CONTROL_PASSWORD: 'short', CONTROL_JWT_SECRET: 'tiny' } }),
    ).rejects.toThrow(/CONTROL_PASSWORD: must be at least 8[\s\S]*CONTROL_JWT_SECRET: must be at least 32/);
    await expect(
      resolveCredentials({
        env: { CONTROL_USERNAME: 'me', CONTROL_PASSWORD: 'scrypt$1$2', CONTROL_JWT_SECRET: SECRET },
      }),
    ).rejects.toBeInstanceOf(CredentialsError);
  });

  it('checks a plain or hashed password with scrypt; a wrong username fails too', async () => {
    const plain = await resolveCredentials({
      env: { CONTROL_USERNAME: 'me', CONTROL_PASSWORD: 'correct horse', CONTROL_JWT_SECRET: SECRET },
    });
    expect(plain.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyLogin(plain, 'me', 'correct horse')).toBe(true);
    expect(await verifyLogin(plain, 'me', 'correct horsE')).toBe(false);
    expect(await verifyLogin(plain, 'you', 'correct horse')).toBe(false);
    expect(await verifyLogin(plain, 'me', '')).toBe(false);
    const hashed = await resolveCredentials({
      env: {
        CONTROL_USERNAME: 'me',
        CONTROL_PASSWORD: await hashPassword('battery staple'),
        CONTROL_JWT_SECRET: SECRET,
      },
    });
    expect(await verifyLogin(hashed, 'me', 'battery staple')).toBe(true);
    expect(await verifyLogin(hashed, 'me', 'battery stapler')).toBe(false);
  });

  it('generates credentials once into a mode-600 file keeping only the hash, then reads them back', async () => {
    const file = path.join(dir, 'control-credentials.json');
    const made = await resolveCredentials({ env: {}, file, generate: true });
    expect(made).toMatchObject({ source: 'generated', username: 'admin' });
    expect(made.generatedPassword!.length).toBeGreaterThanOrEqual(20);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(made.generatedPassword!);
    const again = await resolveCredentials({ env: {}, file, generate: true });
    expect(again).toMatchObject({
      source: 'file',
      username: 'admin',
      jwtSecret: made.jwtSecret,
      passwordHash: made.passwordHash,
    });
    expect(again.generatedPassword).toBeUndefined();
    expect(await verifyLogin(again, 'admin', made.generatedPassword!)).toBe(true);
    // The environment wins over the file.
    expect(
      (
        await resolveCredentials({
          env: { CONTROL_USERNAME: 'ops', CONTROL_PASSWORD: 'long enough', CONTROL_JWT_SECRET: SECRET },
          file,
        })
      ).username,
    ).toBe('ops');
    // Without `generate` (npm run api) and without a file: refused.
    await expect(resolveCredentials({ env: {}, file: path.join(dir, 'absent.json') })).rejects.toThrow(/npm start/);
  });
});

describe('login sessions', () => {
  it('rotates refresh tokens and revokes the session when a spent one comes back', () => {
    const store = new SessionStore();
    const { sessionId, refreshToken } = store.create('me');
    const next = store.rotate(refreshToken);
    expect(next).toMatchObject({ ok: true, sessionId, username: 'me' });
    if (!next.ok) return;
    expect(next.refreshToken).not.toBe(refreshToken);
    expect(store.rotate(refreshToken)).toMatchObject({ ok: false, reason: expect.stringContaining('already used') });
    expect(store.isActive(sessionId)).toBe(false);
    expect(store.rotate(next.refreshToken)).toMatchObject({ ok: false, reason: expect.stringContaining('revoked') });
  });

  it('refuses unknown and tampered tokens; logout revokes; idle sessions expire', () => {
    let now = 1_000_000;
    const store = new SessionStore({ refreshTtlMs: 60_000, now: () => now });
    const a = store.create('me');
    expect(store.rotate('nonsense').ok).toBe(false);
    expect(store.rotate(`${a.refreshToken}x`).ok).toBe(false);
    expect(store.rotate(`${a.refreshToken.split('.')[0]}.AAAA`).ok).toBe(false);
    expect(store.isActive(a.sessionId)).toBe(true); // a wrong guess does not revoke
    expect(store.revoke(store.sessionOf(a.refreshToken)!)).toBe(true);
    expect(store.rotate(a.refreshToken).ok).toBe(false);
    const b = store.create('me');
    now += 61_000;
    expect(store.isActive(b.sessionId)).toBe(false);
    expect(store.rotate(b.refreshToken)).toMatchObject({ ok: false, reason: expect.stringContaining('expired') });
  });

  it('survives a restart through its file, which holds digests only (mode 600)', () => {
    const file = path.join(dir, 'sessions.json');
    const first = new SessionStore({ file });
    const { sessionId, refreshToken } = first.create('me');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(refreshToken.split('.')[1]);
    const second = new SessionStore({ file });
    expect(second.isActive(sessionId)).toBe(true);
    const r = second.rotate(refreshToken);
    expect(r.ok).toBe(true);
    expect(new SessionStore({ file }).rotate(refreshToken).ok).toBe(false); // spent, as saved
  });
});
