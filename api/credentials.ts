/**
 * The control API's login: one user, from the environment (or `.env`):
 *
 *   CONTROL_USERNAME, CONTROL_PASSWORD (the password, or a hash from `npm run api -- hash-password`),
 *   CONTROL_JWT_SECRET (at least 32 characters).
 *
 * With none of them set, `npm start` generates them once into data/control-credentials.json
 * (mode 600; only the password's hash is kept) and prints the password that one time. There is
 * no built-in default: without credentials the API refuses to start.
 *
 * Passwords are checked with scrypt and a constant-time comparison, and the username too, so a
 * wrong username takes as long as a wrong password.
 */
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { z } from 'zod';
import { formatIssues } from '../core/schema';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt cost: 2^14 x 8 (16 MiB, tens of ms on a Raspberry Pi 4): slow for guessing, fine for one login. */
const COST = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 32;
const HASH_PREFIX = 'scrypt$';

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

export interface ControlCredentials {
  readonly username: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>` */
  readonly passwordHash: string;
  readonly jwtSecret: string;
  /** Where they came from, for the start-up message. */
  readonly source: 'environment' | 'file' | 'generated';
  /** Only when just generated: the password to print once. */
  readonly generatedPassword?: string;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LENGTH, { ...COST, maxmem: 64 * 1024 * 1024 });
  return `${HASH_PREFIX}${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function isPasswordHash(value: string): boolean {
  return value.startsWith(HASH_PREFIX);
}

function parseHash(encoded: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } {
  const parts = encoded.slice(HASH_PREFIX.length).split('$');
  const [N, r, p] = parts.slice(0, 3).map(Number);
  if (parts.length !== 5 || !N || !r || !p || N > 1_048_576 || r > 32 || p > 16)
    throw new CredentialsError(
      'CONTROL_PASSWORD: not a valid scrypt hash (make one with `npm run api -- hash-password`)',
    );
  return { N, r, p, salt: Buffer.from(parts[3]!, 'base64'), hash: Buffer.from(parts[4]!, 'base64') };
}

/**
 * Whether a login matches, in time that does not depend on where it differs: the password is
 * always hashed (even for a wrong username) and both comparisons are constant-time.
 */
export async function verifyLogin(
  credentials: Pick<ControlCredentials, 'username' | 'passwordHash'>,
  username: string,
  password: string,
): Promise<boolean> {
  const h = parseHash(credentials.passwordHash);
  const candidate = await scrypt(password, h.salt, h.hash.length, {
    N: h.N,
    r: h.r,
    p: h.p,
    maxmem: 256 * 1024 * 1024,
  });
  const passwordOk = timingSafeEqual(candidate, h.hash);
  // Compare fixed-length digests of the usernames so their lengths leak nothing either.
  const digest = (value: string) => createHmac('sha256', h.salt).update(value, 'utf8').digest();
  const userOk = timingSafeEqual(digest(username), digest(credentials.username));
  return passwordOk && userOk;
}

const envSchema = z.object({
  CONTROL_USERNAME: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  CONTROL_PASSWORD: z.string().min(8, 'must be at least 8 characters (or a hash from `npm run api -- hash-password`)'),
  CONTROL_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
});

const fileSchema = z
  .object({
    username: z.string().min(1),
    passwordHash: z.string().startsWith(HASH_PREFIX),
    jwtSecret: z.string().min(32),
  })
  .strict();

const NAMES = ['CONTROL_USERNAME', 'CONTROL_PASSWORD', 'CONTROL_JWT_SECRET'] as const;

export interface ResolveOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** data/control-credentials.json: read when the environment sets none; created when `generate`. */
  readonly file?: string;
  readonly generate?: boolean;
}

export async function resolveCredentials(options: ResolveOptions): Promise<ControlCredentials> {
  const env = options.env ?? process.env;
  const set = NAMES.filter((n) => env[n] !== undefined && env[n] !== '');
  if (set.length > 0) {
    if (set.length < NAMES.length)
      throw new CredentialsError(
        `control API credentials: ${NAMES.filter((n) => !set.includes(n)).join(', ')} missing (set all of ${NAMES.join(', ')}, or none to use ${options.file ?? 'a generated file'})`,
      );
    const parsed = envSchema.safeParse(env);
    if (!parsed.success)
      throw new CredentialsError(`control API credentials:\n${formatIssues(parsed.error).join('\n')}`);
    const e = parsed.data;
    const passwordHash = isPasswordHash(e.CONTROL_PASSWORD)
      ? e.CONTROL_PASSWORD
      : await hashPassword(e.CONTROL_PASSWORD);
    parseHash(passwordHash);
    return { username: e.CONTROL_USERNAME, passwordHash, jwtSecret: e.CONTROL_JWT_SECRET, source: 'environment' };
  }
  if (options.file && existsSync(options.file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (err) {
      throw new CredentialsError(
        `${options.file}: not JSON (${(err as Error).message}); delete it to generate new credentials`,
      );
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success)
      throw new CredentialsError(
        `${options.file}:\n${formatIssues(parsed.error).join('\n')}\n(delete it to generate new credentials)`,
      );
    return { ...parsed.data, source: 'file' };
  }
  if (options.file && options.generate) {
    const password = randomBytes(18).toString('base64url');
    const creds = {
      username: 'admin',
      passwordHash: await hashPassword(password),
      jwtSecret: randomBytes(48).toString('base64url'),
    };
    // 'wx': never overwrite a file another process just wrote.
    writeFileSync(options.file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { ...creds, source: 'generated', generatedPassword: password };
  }
  throw new CredentialsError(
    `control API credentials missing: set ${NAMES.join(', ')} in the environment or .env${options.file ? `, or run \`npm start\` once to generate ${options.file}` : ''}. There is no default password.`,
  );
}
