/**
 * Login, refresh and logout, and the access-token check every other route runs.
 *
 *   POST /api/v1/auth/login   {username, password}  → {accessToken, refreshToken, expiresIn}
 *   POST /api/v1/auth/refresh {refreshToken}        → a new pair (the old refresh token is spent)
 *   POST /api/v1/auth/logout  {refreshToken} or a Bearer access token → the session is revoked
 *   POST /api/v1/server/login (seed 002's shape)    → {Message, Result, token}
 *
 * Access tokens are HS256 JWTs (jose) of about 15 minutes naming their session; a revoked session's
 * access tokens are refused at once. Login is rate limited per client address.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { type ControlCredentials, verifyLogin } from './credentials';
import { HttpError, type RouteTable } from './http';
import type { SessionStore } from './sessions';

const ISSUER = 'durable-trading-bots';
const AUDIENCE = 'control-api';

export interface AuthOptions {
  readonly credentials: ControlCredentials;
  readonly sessions: SessionStore;
  /** Access token lifetime (default 15 min). */
  readonly accessTtlSec?: number;
  /** Login attempts per client address per window (default 5 per minute). */
  readonly loginRateLimit?: { readonly max: number; readonly timeWindowMs: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: { readonly username: string; readonly sessionId: string };
  }
}

const loginBody = z
  .object({
    username: z.string({ error: 'is required' }).min(1, 'is required').max(256),
    password: z.string({ error: 'is required' }).min(1, 'is required').max(1024),
  })
  .strict();
const refreshBody = z
  .object({ refreshToken: z.string({ error: 'is required' }).min(1, 'is required').max(256) })
  .strict();
const logoutBody = z.object({ refreshToken: z.string().min(1).max(256).optional() }).strict();

export class Auth {
  private readonly key: Uint8Array;
  readonly accessTtlSec: number;

  constructor(private readonly options: AuthOptions) {
    this.key = new TextEncoder().encode(options.credentials.jwtSecret);
    this.accessTtlSec = options.accessTtlSec ?? 15 * 60;
  }

  private async accessToken(username: string, sessionId: string): Promise<string> {
    return new SignJWT({ sid: sessionId, typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(username)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomBytes(9).toString('base64url'))
      .setExpirationTime(`${this.accessTtlSec}s`)
      .sign(this.key);
  }

  private async pair(username: string, sessionId: string, refreshToken: string) {
    return {
      accessToken: await this.accessToken(username, sessionId),
      refreshToken,
      expiresIn: this.accessTtlSec,
      tokenType: 'Bearer' as const,
    };
  }

  /** The Bearer token's user, or a 401 saying why. */
  async authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (!header)
      throw new HttpError(
        401,
        'unauthorized',
        'missing Authorization: Bearer <access token> (POST /api/v1/auth/login)',
      );
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'unauthorized', 'the Authorization header must be "Bearer <access token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        throw new HttpError(
          401,
          'token_expired',
          'the access token has expired: refresh it (POST /api/v1/auth/refresh)',
        );
      throw new HttpError(401, 'invalid_token', 'the access token is invalid (bad signature, malformed or not ours)');
    }
    if (payload.typ !== 'access' || typeof payload.sid !== 'string' || typeof payload.sub !== 'string')
      throw new HttpError(401, 'invalid_token', 'not an access token');
    if (!this.options.sessions.isActive(payload.sid))
      throw new HttpError(401, 'session_revoked', 'this session was logged out or revoked: log in again');
    request.user = { username: payload.sub, sessionId: payload.sid };
  }

  register(routes: RouteTable): void {
    const limit = this.options.loginRateLimit ?? { max: 5, timeWindowMs: 60_000 };
    const rateLimit = { max: limit.max, timeWindow: limit.timeWindowMs };
    const login = async (username: string, password: string) => {
      const ok = await verifyLogin(this.options.credentials, username, password);
      if (!ok) throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
      const { sessionId, refreshToken } = this.options.sessions.create(username);
      return this.pair(username, sessionId, refreshToken);
    };

    routes.add(
      {
        method: 'POST',
        url: '/api/v1/auth/login',
        tag: 'auth',
        summary: 'Log in: an access token (~15 min) and a refresh token',
        auth: false,
        body: loginBody,
        rateLimit,
        responses: {
          200: '{accessToken, refreshToken, expiresIn}',
          400: 'body invalid (field named)',
          401: 'wrong username or password',
          429: 'too many login attempts',
        },
      },
      async ({ body }) => login(body.username, body.password),
    );
    routes.add(
      {
        method: 'POST',
        url: '/api/v1/server/login',
        tag: 'seed 002',
        summary: "Seed 002's login (PBBS shape): {Message, Result, token}",
        auth: false,
        body: loginBody,
        rateLimit,
        responses: {
          200: '{Message: "access granted", Result: "success", token, refreshToken}',
          401: 'wrong username or password',
          429: 'too many login attempts',
        },
      },
      async ({ body }) => {
        const p = await login(body.username, body.password);
        return {
          Message: 'access granted',
          Result: 'success',
          token: p.accessToken,
          refreshToken: p.refreshToken,
          expiresIn: p.expiresIn,
        };
      },
    );
    routes.add(
      {
        method: 'POST',
        url: '/api/v1/auth/refresh',
        tag: 'auth',
        summary:
          'Exchange the refresh token for a new pair (rotation: the old one is spent; reusing it revokes the session)',
        auth: false,
        body: refreshBody,
        rateLimit: { max: Math.max(30, limit.max * 6), timeWindow: limit.timeWindowMs },
        responses: {
          200: '{accessToken, refreshToken, expiresIn}',
          401: 'unknown, spent, revoked or expired refresh token',
        },
      },
      async ({ body }) => {
        const r = this.options.sessions.rotate(body.refreshToken);
        if (!r.ok) throw new HttpError(401, 'invalid_refresh_token', r.reason);
        return this.pair(r.username, r.sessionId, r.refreshToken);
      },
    );
    routes.add(
      {
        method: 'POST',
        url: '/api/v1/auth/logout',
        tag: 'auth',
        summary: 'Revoke the session (its refresh token and access tokens)',
        auth: false,
        body: logoutBody,
        responses: { 200: '{loggedOut: true}', 401: 'neither a valid refresh token nor a valid access token' },
      },
      async ({ body, request }) => {
        let sessionId = body.refreshToken ? this.options.sessions.sessionOf(body.refreshToken) : null;
        if (!sessionId && request.headers.authorization) {
          await this.authenticate(request);
          sessionId = request.user!.sessionId;
        }
        if (!sessionId)
          throw new HttpError(401, 'unauthorized', 'give the refresh token in the body or a valid access token');
        this.options.sessions.revoke(sessionId, 'logout');
        return { loggedOut: true };
      },
    );
  }
}
