/**
 * A small HTTP server for `/metrics` (Prometheus text format) when the process has no control API
 * to serve them on: the standalone worker (`npm run worker`, METRICS_PORT). Binds 127.0.0.1
 * unless told otherwise; an optional bearer token (METRICS_TOKEN) guards it.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** All the registries' metrics as one exposition. */
export async function exposition(registries: readonly Registry[]): Promise<{ contentType: string; body: string }> {
  const merged = registries.length === 1 ? registries[0]! : Registry.merge([...registries]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

/** The Authorization header against `Bearer <token>`, as bytes in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startMetricsServer(
  registries: readonly Registry[],
  o: { port: number; host?: string; token?: string | null },
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    if (o.token && !bearerMatches(req.headers.authorization, o.token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('bearer token required (METRICS_TOKEN)\n');
      return;
    }
    exposition(registries).then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
