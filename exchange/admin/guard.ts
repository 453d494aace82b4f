/**
 * Who may call the paper exchange's admin endpoints (deposits, prices, faults, extra API keys…).
 *
 * - Off unless enabled (`admin: { enabled: true }`; `npm start` and the tests enable it;
 *   `npm run exchange` with PAPER_ADMIN=on). Off, /admin/* does not exist (404).
 * - On, every call needs `Authorization: Bearer <token>`. The token is 32 random bytes, new at
 *   every start, written to `tokenFile` (mode 600, e.g. data/paper-exchange.admin-token) and
 *   printed once by the command that started the exchange.
 * - The exchange binds 127.0.0.1, but a web page the user has open can still send requests to it
 *   (and DNS rebinding can make it look same-origin), so a request is refused when its `Host` is
 *   not this loopback address and port, when it carries a foreign `Origin` or a cross-site
 *   `Sec-Fetch-Site`, or when a body is not `application/json` (what an HTML form or a no-CORS
 *   fetch can send). No CORS headers are ever sent, so browsers never let a page read an answer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';

export interface AdminOptions {
  readonly enabled?: boolean;
  /** Write the token here (mode 600). Omit to keep it in memory (tests read `ex.admin.token`). */
  readonly tokenFile?: string;
  /** Use this token instead of a random one (at least 32 characters). */
  readonly token?: string;
}

export interface AdminAccess {
  readonly enabled: boolean;
  /** null when the admin is off. */
  readonly token: string | null;
  readonly tokenFile: string | null;
}

export function setUpAdmin(opts: AdminOptions | boolean | undefined): AdminAccess {
  const o: AdminOptions = typeof opts === 'boolean' ? { enabled: opts } : (opts ?? {});
  if (!o.enabled) return { enabled: false, token: null, tokenFile: null };
  if (o.token !== undefined && !/^[A-Za-z0-9_-]{32,256}$/.test(o.token))
    throw new Error('admin.token must be 32 to 256 characters of [A-Za-z0-9_-]');
  const token = o.token ?? randomBytes(32).toString('hex');
  if (o.tokenFile) writeTokenFile(o.tokenFile, token);
  return { enabled: true, token, tokenFile: o.tokenFile ?? null };
}

/** Write the token readable by its owner only: a temporary file created with mode 600, renamed over. */
export function writeTokenFile(file: string, token: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // in case the umask or an existing file kept wider bits
  renameSync(tmp, file);
}

export type AdminVerdict =
  { readonly ok: true } | { readonly ok: false; readonly status: number; readonly error: string };

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The checks every admin request passes before its route runs, cheapest first. */
export function checkAdminRequest(
  access: AdminAccess,
  port: number,
  method: string,
  headers: IncomingHttpHeaders,
  body: string,
): AdminVerdict {
  if (!access.enabled || access.token === null)
    return {
      ok: false,
      status: 404,
      error:
        'the admin API is disabled; enable it with PAPER_ADMIN=on (npm run exchange) or startPaperExchange({ admin: { enabled: true } })',
    };
  const host = headers.host ?? '';
  if (!LOOPBACK_HOSTS.some((h) => host === `${h}:${port}`))
    return {
      ok: false,
      status: 403,
      error: `foreign Host ${JSON.stringify(host.slice(0, 100))}: the admin API answers only to 127.0.0.1:${port} or localhost:${port}`,
    };
  const origin = headers.origin;
  if (origin !== undefined && !LOOPBACK_HOSTS.some((h) => origin === `http://${h}:${port}`))
    return {
      ok: false,
      status: 403,
      error: `foreign Origin ${JSON.stringify(origin.slice(0, 100))}: the admin API is not for web pages`,
    };
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { ok: false, status: 403, error: `cross-site request (Sec-Fetch-Site: ${site.slice(0, 30)}) refused` };
  if (method === 'OPTIONS') return { ok: false, status: 403, error: 'no CORS: the admin API is not for web pages' };
  const auth = headers.authorization;
  if (auth === undefined || auth === '')
    return {
      ok: false,
      status: 401,
      error: 'admin token required: Authorization: Bearer <token> (printed at start, in the token file)',
    };
  const m = /^Bearer ([^\s]{1,300})$/.exec(auth);
  if (!m || !sameToken(m[1] as string, access.token)) return { ok: false, status: 401, error: 'wrong admin token' };
  if (body.trim() !== '') {
    const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      return { ok: false, status: 415, error: 'admin request bodies must be Content-Type: application/json' };
  }
  return { ok: true };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
