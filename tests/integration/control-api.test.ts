/**
 * The control API over real HTTP, in front of the real Temporal dev server, the paper exchange and
 * a worker: every endpoint, every authentication case, validation errors naming the field, and
 * that a refused start starts nothing.
 */
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, startTestApi } from '../support/control-api';
import { eventually, harnessWithWorker } from '../support/harness';

// A random walk that never ticks during the test (prices move only when the test says), with
// closed candles of history for every interval: the daily MACD check has its 200 days.
const h = harnessWithWorker('30000', {
  exchange: { prices: { kind: 'random-walk', seed: 7, tickMs: 3_600_000, history: 300 } },
});
let api: TestApi;
let token: string;

beforeAll(async () => {
  api = await startTestApi(h);
  token = (await api.login()).accessToken;
});
afterAll(() => api?.close());

const get = (path: string) => api.call('GET', path, { token });
const post = (path: string, body?: unknown) =>
  api.call('POST', path, { token, ...(body !== undefined ? { body } : {}) });

function closeCandle(price: string): void {
  h.exchange.market.setPrice('BTCUSDT', price);
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

describe('authentication', () => {
  it('refuses a request without a token, with a malformed header, with a wrong password or username', async () => {
    const none = await api.call('GET', '/api/v1/bots');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('Bearer') });
    expect((await api.call('GET', '/api/v1/bots', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const wrong = await api.call('POST', '/api/v1/auth/login', {
      body: { username: api.username, password: `${api.password}x` },
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_credentials' } });
    expect(
      (await api.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: api.password } })).status,
    ).toBe(401);
    const missing = await api.call('POST', '/api/v1/auth/login', { body: { username: api.username } });
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request', fields: ['body.password'] } });
    expect((await api.call('POST', '/api/v1/auth/login', { body: '{not json' })).body).toMatchObject({
      error: 'invalid_json',
    });
  });

  it('logs in with the configured credentials; the access token lasts about 15 minutes', async () => {
    const t = await api.login();
    expect(t.expiresIn).toBe(900);
    const claims = decodeJwt(t.accessToken);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.sub).toBe(api.username);
    expect((await api.call('GET', '/api/v1/bots', { token: t.accessToken })).status).toBe(200);
  });

  it('refuses a tampered, a foreign-signed, an unsigned and an expired token', async () => {
    const t = await api.login();
    const [head, body, sig] = t.accessToken.split('.');
    const flipped = `${head}.${body}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await api.call('GET', '/api/v1/bots', { token: flipped })).body).toMatchObject({ error: 'invalid_token' });
    // Same claims, another payload (sub changed): the signature no longer matches.
    const forgedBody = Buffer.from(JSON.stringify({ ...decodeJwt(t.accessToken), sub: 'mallory' })).toString(
      'base64url',
    );
    expect((await api.call('GET', '/api/v1/bots', { token: `${head}.${forgedBody}.${sig}` })).status).toBe(401);
    const claims = decodeJwt(t.accessToken);
    const sign = (secret: string, exp: number) =>
      new SignJWT({ sid: claims.sid, typ: 'access' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(api.username)
        .setIssuer(String(claims.iss))
        .setAudience(String(claims.aud))
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);
    expect(
      (await api.call('GET', '/api/v1/bots', { token: await sign('x'.repeat(40), now + 600) })).body,
    ).toMatchObject({ error: 'invalid_token' });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${body}.`;
    expect((await api.call('GET', '/api/v1/bots', { token: unsigned })).status).toBe(401);
    // Signed with the real secret but expired: refused, and the client is told to refresh.
    const expired = await api.call('GET', '/api/v1/bots', { token: await sign(api.credentials.jwtSecret, now - 5) });
    expect(expired).toMatchObject({
      status: 401,
      body: { error: 'token_expired', message: expect.stringContaining('refresh') },
    });
    // The same, valid: the server's secret is what makes a token good.
    expect(
      (await api.call('GET', '/api/v1/bots', { token: await sign(api.credentials.jwtSecret, now + 60) })).status,
    ).toBe(200);
  });

  it('rotates refresh tokens; a spent one revokes the session; logout revokes; sessions are stored hashed', async () => {
    const first = await api.login();
    const second = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await api.call('GET', '/api/v1/bots', { token: second.body.accessToken })).status).toBe(200);
    // Reusing the spent token (a stolen copy): refused, and the whole session is revoked.
    const reused = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(reused).toMatchObject({
      status: 401,
      body: { error: 'invalid_refresh_token', message: expect.stringContaining('already used') },
    });
    expect(
      (await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } })).status,
    ).toBe(401);
    expect((await api.call('GET', '/api/v1/bots', { token: second.body.accessToken })).body).toMatchObject({
      error: 'session_revoked',
    });
    expect((await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'abc.def' } })).status).toBe(401);

    const other = await api.login();
    expect(
      (await api.call('POST', '/api/v1/auth/logout', { body: { refreshToken: other.refreshToken } })).body,
    ).toEqual({ loggedOut: true });
    expect(
      (await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.refreshToken } })).status,
    ).toBe(401);
    expect((await api.call('GET', '/api/v1/bots', { token: other.accessToken })).status).toBe(401);
    // Logout with the access token alone works too.
    const third = await api.login();
    expect((await api.call('POST', '/api/v1/auth/logout', { token: third.accessToken, body: {} })).status).toBe(200);
    expect((await api.call('GET', '/api/v1/bots', { token: third.accessToken })).status).toBe(401);
    expect((await api.call('POST', '/api/v1/auth/logout', { body: {} })).status).toBe(401);
    // The store keeps digests only: no refresh secret appears in it.
    expect(JSON.stringify((api.sessions as unknown as { sessions: Map<string, unknown> }).sessions.size)).not.toBe('0');
    expect(
      JSON.stringify([...(api.sessions as unknown as { sessions: Map<string, unknown> }).sessions.values()]),
    ).not.toContain(third.refreshToken.split('.')[1]);
  });

  it('rate-limits login attempts per client', async () => {
    const limited = await startTestApi(h, { loginRateLimit: { max: 3, timeWindowMs: 60_000 }, dashboard: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (
            await limited.call('POST', '/api/v1/auth/login', {
              body: { username: limited.username, password: 'wrong-password' },
            })
          ).status,
        );
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // Even the right password waits out the window.
      const r = await limited.call('POST', '/api/v1/auth/login', {
        body: { username: limited.username, password: limited.password },
      });
      expect(r).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
      expect(r.headers.get('retry-after')).toBeTruthy();
    } finally {
      await limited.close();
    }
  });
});

describe('bots', () => {
  const dca = {
    name: 'api-dca',
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 2 },
  };

  it('refuses an invalid definition naming the field, and starts nothing (not even the valid bots of a list)', async () => {
    const bad = await post('/api/v1/bots', { ...dca, params: { ...dca.params, quantity: '-1' } });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_definition',
        fields: ['params.quantity'],
        message: expect.stringContaining('params.quantity: must be greater than 0'),
      },
    });
    const list = await post('/api/v1/bots', [
      { ...dca, name: 'api-ok-1' },
      { ...dca, name: 'api-bad-2', interval: '7m' },
    ]);
    expect(list).toMatchObject({ status: 400, body: { fields: ['interval'] } });
    expect(list.body.message).toContain('bot "api-bad-2" (#2): interval');
    expect((await post('/api/v1/bots', { ...dca, name: 'api-x', account: 'nope' })).body).toMatchObject({
      fields: ['account'],
    });
    expect((await post('/api/v1/bots', { ...dca, name: 'api-x', symbol: 'DOGEUSDT' })).body).toMatchObject({
      fields: ['symbol'],
      message: expect.stringContaining('not traded'),
    });
    expect((await post('/api/v1/bots', { ...dca, name: 'api-x', surprise: 1 })).body.message).toContain(
      'unknown field(s) "surprise"',
    );
    expect((await post('/api/v1/bots', 'just a string')).status).toBe(400);
    expect((await get('/api/v1/bots?all=true')).body.bots).toEqual([]);
  });

  it('starts a bot, refuses a second copy, lists it with status, position and PnL', async () => {
    const r = await post('/api/v1/bots', dca);
    expect(r).toMatchObject({ status: 201, body: { started: [{ name: 'api-dca', workflowId: 'bot-api-dca' }] } });
    expect(await post('/api/v1/bots', dca)).toMatchObject({ status: 409, body: { error: 'already_running' } });
    await h.waitForState('api-dca', (s) => s.eventsProcessed > 0, 'start');
    await eventually(
      async () => {
        closeCandle('30000');
        await h.waitForState('api-dca', (s) => s.stats.fills >= 1, 'first fill', 3_000);
      },
      30_000,
      0,
    );
    h.exchange.market.setPrice('BTCUSDT', '30100');
    closeCandle('30100');
    const row = await eventually(async () => {
      const { bots } = (await get('/api/v1/bots')).body;
      expect(bots).toHaveLength(1);
      expect(bots[0].lastPrice).toBe('30100');
      expect(bots[0].openOrders).toBeGreaterThanOrEqual(1); // the take-profit
      return bots[0];
    });
    expect(row).toMatchObject({
      name: 'api-dca',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      interval: '1m',
      status: 'RUNNING',
      workflowStatus: 'RUNNING',
      realizedPnl: '0',
    });
    expect(Number(row.position.qty)).toBeGreaterThan(0);
    expect(Number(row.unrealizedPnl)).toBeGreaterThan(0); // bought near 30000, now 30100
    expect(row.openOrders).toBeGreaterThanOrEqual(1); // the take-profit
    expect(row.lastDecision).toMatchObject({ source: 'order', reason: expect.any(String) });
  });

  it('answers the state, trades (orders, fills, decisions, PnL) and candles with markers', async () => {
    const s = await get('/api/v1/bots/api-dca');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      name: 'api-dca',
      status: 'RUNNING',
      account: 'paper',
      interval: '1m',
      params: { quantity: '0.01' },
    });
    expect(s.body.lastCandleOpenTime).toEqual(expect.any(Number));
    const t = (await get('/api/v1/bots/api-dca/trades')).body;
    expect(t.fills.length).toBeGreaterThanOrEqual(1);
    expect(t.fills[0]).toMatchObject({ side: 'BUY', purpose: 'entry', symbol: 'BTCUSDT', price: expect.any(String) });
    expect(t.orders.some((o: { tag: string }) => o.tag.startsWith('tp-'))).toBe(true);
    expect(t.decisions.length).toBeGreaterThanOrEqual(2);
    expect(t.decisions.every((d: { reason: string }) => d.reason.length > 0)).toBe(true);
    expect(t.pnl.at(-1).realized).toBe('0');
    const c = await get('/api/v1/bots/api-dca/candles?limit=50');
    expect(c.status).toBe(200);
    expect(c.body.candles.length).toBeGreaterThan(1);
    expect(c.body.candles[0]).toMatchObject({
      time: expect.any(Number),
      open: expect.any(String),
      close: expect.any(String),
    });
    expect(c.body.markers.length).toBeGreaterThanOrEqual(1);
    expect(c.body.markers[0]).toMatchObject({ side: 'BUY', purpose: 'entry' });
    expect((await get('/api/v1/bots/api-dca/candles?limit=5000')).body).toMatchObject({ fields: ['query.limit'] });
    expect((await get('/api/v1/bots/api-dca/candles?interval=7m')).body).toMatchObject({ fields: ['query.interval'] });
    expect(await get('/api/v1/bots/no-such-bot')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await get('/api/v1/bots/bad!name')).body).toMatchObject({ fields: ['path.name'] });
  });

  it('pauses and resumes; changes params, refusing bad ones naming the field', async () => {
    expect(await post('/api/v1/bots/api-dca/pause')).toMatchObject({ status: 200, body: { status: 'PAUSED' } });
    expect((await get('/api/v1/bots')).body.bots[0].status).toBe('PAUSED');
    expect(await post('/api/v1/bots/api-dca/resume')).toMatchObject({ status: 200, body: { status: 'RUNNING' } });
    const bad = await api.call('PATCH', '/api/v1/bots/api-dca/params', { token, body: { takeProfitPct: '-1' } });
    expect(bad).toMatchObject({
      status: 400,
      body: {
        error: 'rejected',
        fields: ['params.takeProfitPct'],
        message: expect.stringContaining('params.takeProfitPct: must be a percentage above 0 and below 1000'),
      },
    });
    expect((await api.call('PATCH', '/api/v1/bots/api-dca/params', { token, body: [1, 2] })).status).toBe(400);
    const ok = await api.call('PATCH', '/api/v1/bots/api-dca/params', { token, body: { takeProfitPct: '2' } });
    expect(ok).toMatchObject({ status: 200, body: { params: { takeProfitPct: '2', quantity: '0.01' } } });
    expect((await get('/api/v1/bots/api-dca')).body.params.takeProfitPct).toBe('2');
  });

  it("pauses and resumes every bot of the deployment (seed 002's server/pause and server/start)", async () => {
    const p = await api.call('PUT', '/api/v1/server/pause', { token });
    expect(p).toMatchObject({
      status: 200,
      body: { Message: 'server paused awaiting orders', Result: 'success', bots: ['api-dca'] },
    });
    await h.waitForState('api-dca', (s) => s.status === 'PAUSED', 'paused by server/pause');
    const s = await api.call('PUT', '/api/v1/server/start', { token });
    expect(s).toMatchObject({ status: 200, body: { Result: 'success', bots: ['api-dca'] } });
    await h.waitForState('api-dca', (x) => x.status === 'RUNNING', 'resumed by server/start');
  });

  it("reads the balance in seed 002's shape through the worker", async () => {
    // The last candle's entry may still be on its way: compare once the bot and the exchange agree.
    await h.agreement('api-dca');
    const b = await get('/api/v1/balance?account=paper');
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({
      Message: 'Balance successfully recovered',
      Result: 'success',
      data: { liquid: { asset: 'USDT', free: expect.any(String), locked: expect.any(String) } },
    });
    const btc = b.body.data.inTokens.find((t: { symbol: string }) => t.symbol === 'BTCUSDT');
    expect(btc).toMatchObject({
      freeTokens: expect.any(String),
      lockedTokens: expect.any(String),
      freeUSDT: expect.any(String),
      lockedUSDT: expect.any(String),
    });
    // The bot is the account's only trader here: the wallet holds exactly its position.
    const held = Number(btc.freeTokens) + Number(btc.lockedTokens);
    expect(held).toBe(Number((await h.state('api-dca')).position.qty));
    const total =
      Number(b.body.data.liquid.free) +
      Number(b.body.data.liquid.locked) +
      b.body.data.inTokens.reduce(
        (s: number, t: { freeUSDT: string; lockedUSDT: string }) => s + Number(t.freeUSDT) + Number(t.lockedUSDT),
        0,
      );
    expect(Number(b.body.data.totalBalance)).toBeCloseTo(total, 6);
    expect(await get('/api/v1/balance?account=nobody')).toMatchObject({
      status: 404,
      body: { error: 'unknown_account' },
    });
    expect((await get('/api/v1/balance?account=bad%20name')).body).toMatchObject({ fields: ['query.account'] });
  });

  it("runs a macd-portfolio bot's daily check now and answers its buy/sell lists (seed 002's POST app/market)", async () => {
    expect(await post('/api/v1/market', {})).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const def = {
      name: 'api-macd',
      strategy: 'macd-portfolio',
      symbol: 'BTCUSDT',
      interval: '1d',
      account: 'paper',
      params: { symbols: ['BTCUSDT', 'ETHUSDT'], dryRun: true, mode: 'trend' },
    };
    expect((await post('/api/v1/bots', def)).status).toBe(201);
    const r = await eventually(
      async () => {
        const m = await post('/api/v1/market', {});
        if (m.status !== 200) throw new Error(`${m.status} ${JSON.stringify(m.body)}`);
        return m;
      },
      60_000,
      500,
    );
    expect(r.body).toMatchObject({
      Message: 'Market successfully verified',
      Result: 'success',
      data: { bot: 'api-macd', day: new Date().toISOString().slice(0, 10), dryRun: true },
    });
    const { buy, sell, hold } = r.body.data as { buy: string[]; sell: string[]; hold: string[] };
    expect([...buy, ...sell, ...hold].sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    // In trend mode every analysed symbol is a buy or a sell: the 300 days of history were analysed.
    expect(hold).toEqual([]);
    const state = await h.state('api-macd');
    expect(
      (state.strategyState as { decisions: { action: string }[] }).decisions.some((d) => d.action === 'daily'),
    ).toBe(true);
    expect((await post('/api/v1/market', { bot: 'api-dca' })).body).toMatchObject({
      error: 'not_found',
      fields: ['body.bot'],
    });
    expect((await post('/api/v1/market', { bot: 'bad name!' })).body).toMatchObject({ fields: ['body.bot'] });
  });

  it('stops a bot gracefully and reports its summary', async () => {
    const r = await post('/api/v1/bots/api-macd/stop?wait=true');
    expect(r).toMatchObject({
      status: 200,
      body: { name: 'api-macd', status: 'STOPPED', summary: { name: 'api-macd' } },
    });
    expect(await post('/api/v1/bots/api-macd/pause')).toMatchObject({ status: 409, body: { error: 'not_running' } });
    expect((await get('/api/v1/bots/api-macd')).body).toMatchObject({ status: 'STOPPED', workflowStatus: 'COMPLETED' });
    // The list comes from visibility, which records the close a moment after it.
    await eventually(async () => {
      const all = (await get('/api/v1/bots?all=true')).body.bots.map(
        (b: { name: string; workflowStatus: string }) => `${b.name}:${b.workflowStatus}`,
      );
      expect(all).toEqual(['api-dca:RUNNING', 'api-macd:COMPLETED']);
    });
    expect((await post('/api/v1/bots/api-dca/stop')).status).toBe(202);
    await eventually(async () => expect((await get('/api/v1/bots')).body.bots).toEqual([]));
  });
});

describe('server', () => {
  it('answers health without login: Temporal reachable, a worker polling', async () => {
    const r = await api.call('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: expect.stringMatching(/^(ok|degraded)$/),
      temporal: { ok: true },
      worker: { ok: true },
    });
    expect(r.body.worker.workflowPollers).toBeGreaterThan(0);
  });

  it('describes itself in an OpenAPI document listing every endpoint', async () => {
    const r = await api.call('GET', '/api/v1/openapi.json');
    expect(r.body.openapi).toBe('3.1.0');
    const paths = Object.entries(r.body.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/refresh',
        'POST /api/v1/auth/logout',
        'GET /api/v1/bots',
        'POST /api/v1/bots',
        'GET /api/v1/bots/{name}',
        'POST /api/v1/bots/{name}/pause',
        'POST /api/v1/bots/{name}/resume',
        'POST /api/v1/bots/{name}/stop',
        'PATCH /api/v1/bots/{name}/params',
        'GET /api/v1/bots/{name}/trades',
        'GET /api/v1/bots/{name}/candles',
        'GET /api/v1/balance',
        'POST /api/v1/market',
        'PUT /api/v1/server/pause',
        'PUT /api/v1/server/start',
        'GET /api/v1/health',
        'GET /api/v1/strategies',
      ]),
    );
    expect(r.body.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual([
      'username',
      'password',
    ]);
  });

  it('lists strategies with their params schema; serves the dashboard from its own origin only', async () => {
    const s = (await get('/api/v1/strategies')).body;
    const dca = s.strategies.find((x: { id: string }) => x.id === 'dca-take-profit');
    expect(dca.params.properties.quantity).toMatchObject({ type: 'string' });
    expect(dca.params.required).toEqual(['quantity']);
    expect(s.strategies.find((x: { id: string }) => x.id === 'macd-portfolio').runNow).toBe(true);
    const page = await api.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await api.call('GET', '/assets/app.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(String(js.body).length).toBeGreaterThan(50_000); // lightweight-charts is in the bundle
    expect((await api.call('GET', '/api/v1/nothing-here', { token })).body).toMatchObject({ error: 'not_found' });
  });
});
