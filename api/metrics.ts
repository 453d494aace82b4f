/**
 * GET /metrics on the control API's port (Prometheus text format): the bots' figures read from
 * Temporal (monitoring/bot-metrics.ts) and, when the worker runs in the same process (`npm
 * start`), the worker's own (monitoring/worker-metrics.ts). Outside the API's login, as
 * Prometheus scrapes it; METRICS_TOKEN, when set, must come as a bearer token. The API listens on
 * 127.0.0.1 by default.
 */
import type { Client } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { botMetrics } from '../monitoring/bot-metrics';
import { bearerMatches, exposition } from '../monitoring/metrics-server';
import type { RouteTable } from './http';

export interface MetricsRouteOptions {
  /** More registries to serve (the in-process worker's). */
  readonly registries?: readonly Registry[];
  readonly token?: string | null;
}

/** In the route table (and so in the OpenAPI document), outside the login: Prometheus has none. */
export function registerMetricsRoute(
  routes: RouteTable,
  ctx: { client: Client; taskQueue: string; queryTimeoutMs?: number },
  o: MetricsRouteOptions = {},
): void {
  const bots = botMetrics({
    client: ctx.client,
    taskQueue: ctx.taskQueue,
    ...(ctx.queryTimeoutMs ? { queryTimeoutMs: ctx.queryTimeoutMs } : {}),
  });
  const registries = [bots, ...(o.registries ?? [])];
  routes.add(
    {
      method: 'GET',
      url: '/metrics',
      tag: 'server',
      summary:
        "Prometheus metrics: bots by status, orders, fills, PnL, exchange errors, breaker, streams; the worker's in npm start (no login; METRICS_TOKEN as a bearer token when set)",
      auth: false,
      responses: { 200: 'text/plain; version=0.0.4', 401: 'METRICS_TOKEN set and not given' },
    },
    async ({ request, reply }) => {
      if (o.token && !bearerMatches(request.headers.authorization, o.token))
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .type('text/plain')
          .send('bearer token required (METRICS_TOKEN)\n');
      const { contentType, body } = await exposition(registries);
      return reply.type(contentType).send(body);
    },
  );
}
