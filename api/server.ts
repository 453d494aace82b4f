/**
 * The control API and dashboard server (fastify 5). Holds no bot state: bots are read and driven
 * through the Temporal client; the only state is the login sessions (./sessions.ts).
 *
 *   /                         the dashboard (assets bundled at start, ./assets.ts)
 *   /api/v1/auth/*            login, refresh (rotating), logout            ./auth.ts
 *   /api/v1/bots...           list, start, state, pause/resume/stop, params, trades, candles  ./bots.ts
 *   /api/v1/balance, /market, /server/pause|start   seed 002's endpoints   ./seed.ts
 *   /api/v1/strategies        strategies and their params                  ./strategies.ts
 *   /api/v1/health            Temporal, worker, streams                    ./health.ts
 *   /api/v1/openapi.json      this API, described                          ./openapi.ts
 *   /metrics                  Prometheus metrics (bots; the worker's in npm start)   ./metrics.ts
 */
import rateLimit from '@fastify/rate-limit';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type DashboardAssets, buildDashboard } from './assets';
import { Auth, type AuthOptions } from './auth';
import { registerBotRoutes } from './bots';
import { registerHealthRoute } from './health';
import { type MetricsRouteOptions, registerMetricsRoute } from './metrics';
import type { RuntimeOptions } from '../workflows/messages';
import { RouteTable, installErrorHandler } from './http';
import type { PublicMarkets } from './market-data';
import { openApiDocument } from './openapi';
import { registerSeedRoutes, type SeedOptions } from './seed';
import { registerStrategyRoutes } from './strategies';

export interface ControlApiOptions extends AuthOptions {
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly markets: PublicMarkets;
  readonly seed?: SeedOptions;
  readonly queryTimeoutMs?: number;
  /** GET /metrics (Prometheus): the bots' figures, plus these registries; false: no route. */
  readonly metrics?: MetricsRouteOptions | false;
  /**
   * Runtime options of every bot this API starts (checked by startBot like the CLI's). Production
   * needs none; a paper exchange on a manual candle clock (tests, demos) needs `maxCandleLeadMs`.
   */
  readonly botOptions?: RuntimeOptions;
  /** Serve the dashboard (default true). */
  readonly dashboard?: boolean;
  readonly log?: (message: string) => void;
}

const VERSION = '1.0.0';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // Everything from this origin only: no CDN, no inline script.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export async function createControlApi(options: ControlApiOptions): Promise<FastifyInstance> {
  const log = options.log ?? ((m: string) => console.log(m));
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, trustProxy: false });
  installErrorHandler(app, log);
  await app.register(rateLimit, { global: false });
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  const auth = new Auth(options);
  const routes = new RouteTable(app, (request) => auth.authenticate(request));
  auth.register(routes);
  const ctx = {
    client: options.client,
    taskQueue: options.taskQueue,
    markets: options.markets,
    ...(options.queryTimeoutMs ? { queryTimeoutMs: options.queryTimeoutMs } : {}),
    ...(options.botOptions ? { botOptions: options.botOptions } : {}),
  };
  registerBotRoutes(routes, ctx);
  registerSeedRoutes(routes, ctx, options.seed);
  registerStrategyRoutes(routes);
  registerHealthRoute(routes, { ...ctx, namespace: options.namespace });
  if (options.metrics !== false) registerMetricsRoute(routes, ctx, options.metrics ?? {});
  const doc = openApiDocument(routes, { version: VERSION });
  app.get('/api/v1/openapi.json', async () => doc);

  if (options.dashboard !== false) {
    const assets: DashboardAssets = await buildDashboard();
    const types: Record<keyof DashboardAssets, string> = {
      'index.html': 'text/html; charset=utf-8',
      'app.js': 'text/javascript; charset=utf-8',
      'app.css': 'text/css; charset=utf-8',
    };
    const serve = (file: keyof DashboardAssets) => async (_: unknown, reply: FastifyReply) =>
      reply.type(types[file]).header('cache-control', 'no-cache').send(assets[file]);
    app.get('/', serve('index.html'));
    app.get('/assets/app.js', serve('app.js'));
    app.get('/assets/app.css', serve('app.css'));
    // Browsers ask for it on every page; there is none.
    app.get('/favicon.ico', async (_, reply) => reply.status(204).send());
  }
  return app;
}
