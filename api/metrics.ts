/**
 * GET /metrics on the control API's port (Prometheus text format): the bots' figures read from
 * Temporal (monitoring/bot-metrics.ts) and, when the worker runs in the same process (`npm
 * start`), the worker's own (monitoring/worker-metrics.ts). Outside the API's login, as
 * Prometheus scrapes it; METRICS_TOKEN, when set, must come as a bearer token. The API listens on
 * 127.0.0.1 by default.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { botMetrics } from '../monitoring/bot-metrics';
import { exposition } from '../monitoring/metrics-server';

export interface MetricsRouteOptions {
  /** More registries to serve (the in-process worker's). */
  readonly registries?: readonly Registry[];
  readonly token?: string | null;
}

export function registerMetricsRoute(app: FastifyInstance, ctx: { client: Client; taskQueue: string; queryTimeoutMs?: number }, o: MetricsRouteOptions = {}): void {
  const bots = botMetrics({ client: ctx.client, taskQueue: ctx.taskQueue, ...(ctx.queryTimeoutMs ? { queryTimeoutMs: ctx.queryTimeoutMs } : {}) });
  const registries = [bots, ...(o.registries ?? [])];
  app.get('/metrics', async (request, reply) => {
    if (o.token && request.headers.authorization !== `Bearer ${o.token}`) return reply.status(401).header('www-authenticate', 'Bearer').type('text/plain').send('bearer token required (METRICS_TOKEN)\n');
    const { contentType, body } = await exposition(registries);
    return reply.type(contentType).send(body);
  });
}
