/**
 * `/ws-api/v3` connections: one JSON request per text frame, `{id, method, params}`, answered
 * `{id, status, result | error, rateLimits}` (web-socket-api.md "Request format"). Every frame is
 * parsed defensively: a frame that is not a request object gets Binance's error, never an
 * exception; frames over 64 KiB close the connection with 1009 (ws). User-data methods go to
 * user-streams.ts, the rest to api-methods.ts (the REST routes' engine).
 */
import type { WebSocket } from 'ws';
import type { Json } from '../format';
import { ApiError, type Params } from '../http/params';
import type { ApiMethods } from './api-methods';
import { CLOSE, guarded, sendIfOpen, validRequestId } from './limits';
import type { UserConn, UserStreams } from './user-streams';
import { wsParams } from './ws-params';
import { wsText } from '../../infra/ws-text';

interface Conn {
  readonly ws: WebSocket;
  readonly ip: string;
  /** `?returnRateLimits=false` on the URL: omit `rateLimits` unless a request asks for them. */
  readonly returnRateLimits: boolean;
  readonly user: UserConn;
}

export class WsApi {
  private readonly conns = new Set<Conn>();
  paused = false;
  private readonly held: Array<() => void> = [];

  constructor(
    private readonly userStreams: UserStreams,
    private readonly methods: ApiMethods,
    private readonly now: () => number,
    private readonly log?: (msg: string) => void,
  ) {}

  attach(ws: WebSocket, ip: string, returnRateLimits: boolean): void {
    const conn: Conn = { ws, ip, returnRateLimits, user: this.userStreams.open(ws) };
    this.conns.add(conn);
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : wsText(data);
      const respond = () => guarded(ws, 'ws-api frame', () => this.onFrame(conn, text), this.log);
      // While frozen, requests wait (bounded) and are answered on thaw, like a stalled gateway.
      if (this.paused) {
        if (this.held.length < 100_000) this.held.push(respond);
      } else respond();
    });
    ws.on('close', () => {
      this.userStreams.close(conn.user);
      this.conns.delete(conn);
    });
  }

  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }

  connectionCount(): number {
    return this.conns.size;
  }

  cutAll(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.ws.terminate();
    return n;
  }

  shutdownAll(time: number): void {
    for (const c of this.conns) {
      sendIfOpen(c.ws, JSON.stringify({ event: { e: 'serverShutdown', E: time } }));
      c.ws.close(CLOSE.goingAway, 'server shutdown');
    }
  }

  private answer(
    conn: Conn,
    id: Json,
    status: number,
    body: { result: Json } | { error: Json },
    rateLimits: Json[] | null,
  ): void {
    const out: Record<string, Json> = { id, status, ...body };
    if (rateLimits) out.rateLimits = rateLimits;
    sendIfOpen(conn.ws, JSON.stringify(out));
  }

  private fail(conn: Conn, id: Json, e: ApiError): void {
    const error: Record<string, Json> = { code: e.code, msg: e.message };
    if (e.data !== undefined) error.data = e.data as Json;
    this.answer(conn, id, e.status, { error }, null);
  }

  private onFrame(conn: Conn, text: string | null): void {
    if (text === null) return this.fail(conn, null, new ApiError(-1135, 'Invalid JSON Request'));
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.fail(conn, null, new ApiError(-1135, 'Invalid JSON Request'));
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
      return this.fail(conn, null, new ApiError(-1135, 'Invalid JSON Request'));
    const m = msg as { id?: unknown; method?: unknown; params?: unknown };
    if (m.id === undefined)
      return this.fail(
        conn,
        null,
        new ApiError(-1102, "Mandatory parameter 'id' was not sent, was empty/null, or malformed."),
      );
    if (!validRequestId(m.id))
      return this.fail(
        conn,
        null,
        new ApiError(-1100, "Illegal characters found in parameter 'id'; legal range is '^[a-zA-Z0-9-_]{1,36}$'."),
      );
    const id = m.id as Json;
    if (typeof m.method !== 'string' || m.method === '')
      return this.fail(
        conn,
        id,
        new ApiError(-1102, "Mandatory parameter 'method' was not sent, was empty/null, or malformed."),
      );
    if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null || Array.isArray(m.params))) {
      return this.fail(conn, id, new ApiError(-1130, "Data sent for parameter 'params' is not valid."));
    }
    const method = m.method.replace(/^v3\//, '');
    const raw = (m.params ?? {}) as Record<string, unknown>;
    // returnRateLimits is the WebSocket API's own switch, not a parameter of the method (but a
    // signed request signs it: it stays in the parameters, marked as read).
    let wantLimits = conn.returnRateLimits;
    if ('returnRateLimits' in raw) {
      if (typeof raw.returnRateLimits !== 'boolean')
        return this.fail(conn, id, new ApiError(-1130, "Data sent for parameter 'returnRateLimits' is not valid."));
      wantLimits = raw.returnRateLimits;
    }
    let params: Params;
    try {
      params = wsParams(raw);
      params.raw('returnRateLimits');
    } catch (e) {
      if (e instanceof ApiError) return this.fail(conn, id, e);
      throw e;
    }
    try {
      switch (method) {
        case 'userDataStream.subscribe.signature':
          return this.answer(conn, id, 200, { result: this.userStreams.subscribe(conn.user, params) }, null);
        case 'userDataStream.unsubscribe': {
          const r = this.userStreams.unsubscribe(conn.user, params);
          this.answer(conn, id, 200, { result: r.result }, null);
          r.after();
          return;
        }
        case 'session.subscriptions':
          params.assertAllRead();
          return this.answer(conn, id, 200, { result: this.userStreams.list(conn.user) }, null);
        case 'session.status':
          params.assertAllRead();
          return this.answer(
            conn,
            id,
            200,
            {
              result: {
                apiKey: null,
                authorizedSince: null,
                connectedSince: null,
                returnRateLimits: conn.returnRateLimits,
                serverTime: this.now(),
                userDataStream: conn.user.subs.size > 0,
              },
            },
            null,
          );
        case 'userDataStream.subscribe':
        case 'session.logon':
          // Needs an Ed25519 key (session.logon); the paper exchange issues HMAC keys only.
          throw new ApiError(-1020, 'This operation is not supported.');
        default:
          break;
      }
    } catch (e) {
      if (e instanceof ApiError) return this.fail(conn, id, e);
      throw e;
    }
    if (!this.methods.has(method)) return this.fail(conn, id, new ApiError(-1020, 'This operation is not supported.'));
    const r = this.methods.run(conn.ip, method, params);
    this.answer(
      conn,
      id,
      r.status,
      'result' in r ? { result: r.result } : { error: r.error as Json },
      wantLimits ? r.rateLimits : null,
    );
  }
}
