/**
 * Login sessions of the control API, one per login: a rotating refresh token and the short access
 * tokens issued from it.
 *
 * - A refresh token is `<id>.<secret>`; only the SHA-256 of the secret is stored, so a copy of the
 *   store opens nothing. Each refresh replaces it with a new one (rotation).
 * - Presenting a token that was already rotated means two parties hold the session (a stolen
 *   token): the whole session is revoked, and its access tokens stop working too.
 * - Logout revokes the session. Sessions expire after `refreshTtlMs` of no use.
 *
 * Kept in memory, and in a JSON file (mode 600) when one is given so sessions survive a restart.
 * This is the API's only state, and it is about logins, never about bots.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

interface TokenRecord {
  readonly hash: string;
  readonly issuedAt: number;
  /** Set once the token was exchanged for the next one. */
  rotatedAt?: number;
}

interface Session {
  readonly id: string;
  readonly username: string;
  readonly createdAt: number;
  lastUsedAt: number;
  revokedAt?: number;
  revokedWhy?: string;
  /** token id -> record; the current token is the one not rotated. */
  readonly tokens: Record<string, TokenRecord>;
}

export type RefreshOutcome =
  | { readonly ok: true; readonly sessionId: string; readonly username: string; readonly refreshToken: string }
  | { readonly ok: false; readonly reason: string };

const MAX_TOKENS_KEPT = 20;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  /** token id -> session id */
  private readonly byToken = new Map<string, string>();

  constructor(
    private readonly options: {
      readonly file?: string;
      readonly refreshTtlMs?: number;
      readonly now?: () => number;
    } = {},
  ) {
    if (options.file && existsSync(options.file)) {
      try {
        const saved = JSON.parse(readFileSync(options.file, 'utf8')) as { sessions?: Session[] };
        for (const s of saved.sessions ?? []) this.index(s);
      } catch {
        // A damaged file only costs a new login.
      }
    }
  }

  get refreshTtlMs(): number {
    return this.options.refreshTtlMs ?? 7 * 24 * 3_600_000;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private index(s: Session): void {
    this.sessions.set(s.id, s);
    for (const tokenId of Object.keys(s.tokens)) this.byToken.set(tokenId, s.id);
  }

  private mint(session: Session): string {
    const tokenId = randomBytes(9).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    session.tokens[tokenId] = { hash: sha256(secret), issuedAt: this.now() };
    this.byToken.set(tokenId, session.id);
    // Rotated tokens are kept a while to recognise their reuse; not forever.
    const ids = Object.keys(session.tokens);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_TOKENS_KEPT))) {
      delete session.tokens[old];
      this.byToken.delete(old);
    }
    return `${tokenId}.${secret}`;
  }

  /** A new session after a successful login; returns its id and first refresh token. */
  create(username: string): { sessionId: string; refreshToken: string } {
    const session: Session = {
      id: randomBytes(12).toString('base64url'),
      username,
      createdAt: this.now(),
      lastUsedAt: this.now(),
      tokens: {},
    };
    this.sessions.set(session.id, session);
    const refreshToken = this.mint(session);
    this.prune();
    this.save();
    return { sessionId: session.id, refreshToken };
  }

  private find(token: string): { session: Session; tokenId: string; record: TokenRecord } | null {
    const [tokenId, secret, ...rest] = token.split('.');
    if (!tokenId || !secret || rest.length > 0) return null;
    const sessionId = this.byToken.get(tokenId);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    const record = session?.tokens[tokenId];
    if (!session || !record || !sameHash(record.hash, sha256(secret))) return null;
    return { session, tokenId, record };
  }

  /** Exchange a refresh token for the next one. */
  rotate(token: string): RefreshOutcome {
    const found = this.find(token);
    if (!found) return { ok: false, reason: 'unknown refresh token' };
    const { session, record } = found;
    if (session.revokedAt !== undefined)
      return { ok: false, reason: `session revoked (${session.revokedWhy ?? 'logout'})` };
    if (record.rotatedAt !== undefined) {
      this.revoke(session.id, 'a refresh token was used twice');
      return { ok: false, reason: 'refresh token already used: the session is revoked (log in again)' };
    }
    if (this.now() - session.lastUsedAt > this.refreshTtlMs)
      return { ok: false, reason: 'session expired (log in again)' };
    record.rotatedAt = this.now();
    session.lastUsedAt = this.now();
    const refreshToken = this.mint(session);
    this.save();
    return { ok: true, sessionId: session.id, username: session.username, refreshToken };
  }

  /** The session a refresh token belongs to (whatever its state), for logout. */
  sessionOf(token: string): string | null {
    return this.find(token)?.session.id ?? null;
  }

  revoke(sessionId: string, why = 'logout'): boolean {
    const s = this.sessions.get(sessionId);
    if (!s || s.revokedAt !== undefined) return false;
    s.revokedAt = this.now();
    s.revokedWhy = why;
    this.save();
    return true;
  }

  /** Access tokens carry their session id: they stop working once it is revoked or expired. */
  isActive(sessionId: string): boolean {
    const s = this.sessions.get(sessionId);
    return s !== undefined && s.revokedAt === undefined && this.now() - s.lastUsedAt <= this.refreshTtlMs;
  }

  private prune(): void {
    const now = this.now();
    for (const s of this.sessions.values()) {
      const deadSince = s.revokedAt ?? s.lastUsedAt + this.refreshTtlMs;
      if (now - deadSince > this.refreshTtlMs) {
        this.sessions.delete(s.id);
        for (const tokenId of Object.keys(s.tokens)) this.byToken.delete(tokenId);
      }
    }
  }

  private save(): void {
    const file = this.options.file;
    if (!file) return;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ sessions: [...this.sessions.values()] }), { mode: 0o600 });
    renameSync(tmp, file);
  }
}
