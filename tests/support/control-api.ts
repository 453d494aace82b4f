/**
 * A control API over real HTTP on 127.0.0.1 (port 0) in front of a test harness: the real Temporal
 * dev server, the paper exchange and a worker. Credentials come from the environment variables
 * the API reads in production; nothing about them is built in.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { resolveCredentials, type ControlCredentials } from '../../api/credentials';
import { PublicMarkets } from '../../api/market-data';
import { createControlApi, type ControlApiOptions } from '../../api/server';
import { SessionStore } from '../../api/sessions';
import { MANUAL_PAPER_CANDLE_LEAD_MS } from '../../core/candle-check';
import type { Harness } from './harness';

export interface TestApi {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly username: string;
  readonly password: string;
  readonly credentials: ControlCredentials;
  readonly sessions: SessionStore;
  /** JSON request; `token` is sent as a Bearer token. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  login(): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }>;
  close(): Promise<void>;
}

export async function startTestApi(h: Harness, options: Partial<ControlApiOptions> = {}): Promise<TestApi> {
  const username = `user-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const credentials = await resolveCredentials({
    env: {
      CONTROL_USERNAME: username,
      CONTROL_PASSWORD: password,
      CONTROL_JWT_SECRET: randomBytes(32).toString('hex'),
    },
  });
  const sessions = new SessionStore();
  const app = await createControlApi({
    client: h.client,
    namespace: 'default',
    taskQueue: h.taskQueue,
    markets: new PublicMarkets({ paper: h.exchange.httpBase }),
    credentials,
    sessions,
    loginRateLimit: { max: 50, timeWindowMs: 60_000 },
    // Tests close the paper exchange's candles by hand, one interval after the last, ahead of the
    // wall clock: the bots this API starts accept them, as the harness's own startBot does.
    botOptions: { maxCandleLeadMs: MANUAL_PAPER_CANDLE_LEAD_MS },
    log: () => {},
    ...options,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const call: TestApi['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, headers: res.headers };
  };
  return {
    url,
    app,
    username,
    password,
    credentials,
    sessions,
    call,
    async login() {
      const r = await call('POST', '/api/v1/auth/login', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    close: () => app.close(),
  };
}
