/**
 * The paper exchange's sockets: one HTTP server on 127.0.0.1 (REST + admin through the request
 * pipeline) whose upgrades serve the market streams (`/ws…`, `/stream`) and the WebSocket API
 * (`/ws-api/v3`), plus the WebSocket heartbeat. Sizes are bounded before anything is parsed: request
 * bodies over 1 MiB get a 413 answer (over 8 MiB the connection is dropped), headers up to 64 KiB
 * (a URL naming 1024 streams fits), WebSocket frames up to 64 KiB (1009 beyond).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RequestPipeline } from './http/pipeline';
import { MarketStreams } from './ws/market-streams';
import { WS_LIMITS, awaitedPongs } from './ws/limits';
import type { WsApi } from './ws/ws-api';

export const HTTP_LIMITS = {
  /** Bodies above this are refused with 413 (Binance's parameters fit in a few KiB). */
  maxBodyBytes: 1024 * 1024,
  /** Past this the body is not even drained: the connection is dropped (flood). */
  dropBodyBytes: 8 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
} as const;

export interface TransportDeps {
  readonly pipeline: RequestPipeline;
  readonly marketStreams: MarketStreams;
  readonly wsApi: WsApi;
  readonly now: () => number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly log: boolean;
  readonly onRequest: () => void;
  /** The futures side's WebSockets under `/fstream/` (listenKey user streams, futures market streams). */
  readonly futures?: {
    upgradeTarget(rest: string): { kind: 'user'; key: string } | { kind: 'market'; streams: string[] } | null;
    attachUser(ws: WebSocket, key: string): void;
  };
}

export interface Transport {
  readonly server: http.Server;
  /** Open WebSocket connections (market and WS API). */
  connections(): number;
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

const TOO_LARGE = JSON.stringify({
  code: -1101,
  msg: `Too many parameters sent for this endpoint: the request body is over ${HTTP_LIMITS.maxBodyBytes} bytes.`,
});

export function createTransport(d: TransportDeps): Transport {
  const server = http.createServer({ maxHeaderSize: HTTP_LIMITS.maxHeaderBytes }, (req, res) => {
    d.onRequest();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > HTTP_LIMITS.dropBodyBytes) req.destroy();
      else if (size <= HTTP_LIMITS.maxBodyBytes) chunks.push(c);
    });
    req.on('error', () => req.destroy());
    req.on('end', () => {
      if (size > HTTP_LIMITS.maxBodyBytes) {
        res.writeHead(413, { 'Content-Type': 'application/json;charset=UTF-8', Connection: 'close' });
        res.end(TOO_LARGE);
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      d.pipeline.handle(req, res, body).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
          res.end(JSON.stringify({ code: -1000, msg: 'An unknown error occurred while processing the request.' }));
        }
        if (d.log) console.error('paper exchange internal error', e);
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_LIMITS.maxPayloadBytes });
  const alive = new Map<WebSocket, number>();
  const refuse = (socket: Duplex, status: string, body = '') => {
    socket.end(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    const ip = req.socket.remoteAddress ?? 'unknown';
    const accept = (attach: (ws: WebSocket) => void) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.set(ws, d.now());
        ws.on('pong', () => alive.set(ws, d.now()));
        ws.on('close', () => alive.delete(ws));
        ws.on('error', () => ws.terminate());
        attach(ws);
      });
    const marketStreams = (streams: string[], combined: boolean) => {
      if (MarketStreams.tooManyStreams(streams)) {
        refuse(
          socket,
          '400 Bad Request',
          JSON.stringify({
            error: {
              code: 2,
              msg: `Invalid request: too many streams: a connection can listen to at most ${WS_LIMITS.streamsPerConnection} streams`,
            },
          }),
        );
        return;
      }
      accept((ws) => d.marketStreams.attach(ws, streams, combined));
    };
    if (path === '/ws-api/v3') accept((ws) => d.wsApi.attach(ws, ip, query.get('returnRateLimits') !== 'false'));
    else if (path === '/ws' || path.startsWith('/ws/')) marketStreams(path.slice(4).split('/').filter(Boolean), false);
    else if (path === '/stream' || path === '/stream/')
      marketStreams((query.get('streams') ?? '').split('/').filter(Boolean), true);
    else if (path.startsWith('/fstream/') && d.futures) {
      const futures = d.futures;
      const target = futures.upgradeTarget(path.slice('/fstream/'.length));
      if (!target)
        refuse(socket, '400 Bad Request', JSON.stringify({ code: -1125, msg: 'This listenKey does not exist.' }));
      else if (target.kind === 'user') accept((ws) => futures.attachUser(ws, target.key));
      else marketStreams(target.streams, false);
    } else refuse(socket, '404 Not Found');
  });

  const heartbeat = setInterval(() => {
    const t = d.now();
    for (const [ws, last] of alive) {
      if (t - last > d.pongTimeoutMs) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) {
        awaitedPongs.set(ws, Math.min(3, (awaitedPongs.get(ws) ?? 0) + 1));
        ws.ping();
      }
    }
  }, d.pingIntervalMs);
  heartbeat.unref();

  return {
    server,
    connections: () => alive.size,
    listen: (port) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    async close() {
      clearInterval(heartbeat);
      for (const ws of alive.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
