/**
 * The WebSocket API (`/ws-api/v3`) as far as user data goes: `userDataStream.subscribe.signature`
 * (what binance-api-node 0.13.8+ `ws.user()` sends), `userDataStream.unsubscribe`,
 * `session.subscriptions`, `ping`, `time`. Events go out as `{"subscriptionId":n,"event":{…}}`.
 */
import type { WebSocket } from 'ws';
import type { Json } from '../format';
import { checkWindow, hmacHex } from '../http/auth';

export interface UserAccountLookup {
  byApiKey(apiKey: string): { apiSecret: string; accountId: string } | undefined;
}

export interface UserEventFaults {
  /** Apply user-stream faults to one delivery; `deliver` may be called 0, 1 or 2 times, now or later. */
  routeUserEvent(accountId: string, event: Record<string, Json>, deliver: (event: Record<string, Json>) => void): void;
}

interface Subscription {
  readonly id: number;
  readonly accountId: string;
}

interface Conn {
  readonly ws: WebSocket;
  readonly subs: Map<number, Subscription>;
  nextSubscriptionId: number;
}

type WsError = { status: number; code: number; msg: string };

export class UserStreams {
  private readonly conns = new Set<Conn>();
  paused = false;
  private readonly held: Array<() => void> = [];
  eventsSent = 0;

  constructor(
    private readonly accounts: UserAccountLookup,
    private readonly now: () => number,
    private readonly faults: UserEventFaults,
  ) {}

  attach(ws: WebSocket): void {
    const conn: Conn = { ws, subs: new Map(), nextSubscriptionId: 0 };
    this.conns.add(conn);
    ws.on('message', (data) => this.onMessage(conn, String(data)));
    ws.on('close', () => this.conns.delete(conn));
  }

  /** Send one user-data event to every subscription of the account, through the fault layer. */
  deliver(accountId: string, event: Record<string, Json>): void {
    for (const conn of this.conns) {
      for (const sub of conn.subs.values()) {
        if (sub.accountId !== accountId) continue;
        this.faults.routeUserEvent(accountId, event, (e) => this.send(conn, sub, e));
      }
    }
  }

  hasSubscriber(accountId: string): boolean {
    for (const c of this.conns) for (const s of c.subs.values()) if (s.accountId === accountId) return true;
    return false;
  }

  subscriberCount(accountId?: string): number {
    let n = 0;
    for (const c of this.conns) for (const s of c.subs.values()) if (accountId === undefined || s.accountId === accountId) n++;
    return n;
  }

  connectionCount(): number {
    return this.conns.size;
  }

  cutAll(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.ws.terminate();
    return n;
  }

  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }

  shutdownAll(time: number): void {
    for (const c of this.conns) {
      c.ws.send(JSON.stringify({ event: { e: 'serverShutdown', E: time } }));
      c.ws.close(1001, 'server shutdown');
    }
  }

  private send(conn: Conn, sub: Subscription, event: Record<string, Json>): void {
    const go = () => {
      // The subscription may have ended while a delayed event waited.
      if (conn.ws.readyState !== 1 || !conn.subs.has(sub.id)) return;
      conn.ws.send(JSON.stringify({ subscriptionId: sub.id, event }));
      this.eventsSent++;
    };
    if (this.paused) {
      if (this.held.length < 100_000) this.held.push(go);
      return;
    }
    go();
  }

  private reply(conn: Conn, id: Json, result: Json): void {
    conn.ws.send(JSON.stringify({ id, status: 200, result }));
  }

  private fail(conn: Conn, id: Json, e: WsError): void {
    conn.ws.send(JSON.stringify({ id, status: e.status, error: { code: e.code, msg: e.msg } }));
  }

  private onMessage(conn: Conn, text: string): void {
    const respond = () => {
      let msg: { id?: Json; method?: unknown; params?: Record<string, Json> };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        this.fail(conn, null, { status: 400, code: -1135, msg: 'Invalid JSON Request' });
        return;
      }
      const id = msg.id ?? null;
      const params = msg.params && typeof msg.params === 'object' ? msg.params : {};
      switch (msg.method) {
        case 'userDataStream.subscribe.signature':
          return this.subscribe(conn, id, params);
        case 'userDataStream.unsubscribe':
          return this.unsubscribe(conn, id, params);
        case 'session.subscriptions':
          return this.reply(conn, id, [...conn.subs.keys()].map((s) => ({ subscriptionId: s })));
        case 'ping':
          return this.reply(conn, id, {});
        case 'time':
          return this.reply(conn, id, { serverTime: this.now() });
        default:
          return this.fail(conn, id, { status: 400, code: -1020, msg: 'This operation is not supported.' });
      }
    };
    if (this.paused) this.held.push(respond);
    else respond();
  }

  private subscribe(conn: Conn, id: Json, params: Record<string, Json>): void {
    const apiKey = params.apiKey;
    const signature = params.signature;
    const timestamp = params.timestamp;
    if (typeof apiKey !== 'string' || apiKey === '') return this.fail(conn, id, { status: 400, code: -1102, msg: "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed." });
    if (typeof signature !== 'string' || signature === '') return this.fail(conn, id, { status: 400, code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." });
    if (typeof timestamp !== 'number' && typeof timestamp !== 'string') return this.fail(conn, id, { status: 400, code: -1102, msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed." });
    const account = this.accounts.byApiKey(apiKey);
    if (!account) return this.fail(conn, id, { status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    // Signed payload: every parameter but the signature, sorted by name.
    const payload = Object.keys(params)
      .filter((k) => k !== 'signature')
      .sort()
      .map((k) => `${k}=${String(params[k])}`)
      .join('&');
    if (hmacHex(account.apiSecret, payload) !== signature.toLowerCase()) return this.fail(conn, id, { status: 400, code: -1022, msg: 'Signature for this request is not valid.' });
    const recvWindow = params.recvWindow !== undefined ? Number(params.recvWindow) : 5000;
    try {
      checkWindow(Number(timestamp), recvWindow, this.now());
    } catch (e) {
      return this.fail(conn, id, { status: 400, code: -1021, msg: (e as Error).message });
    }
    for (const s of conn.subs.values()) {
      if (s.accountId === account.accountId) return this.fail(conn, id, { status: 400, code: -2035, msg: 'User Data Stream subscription already active.' });
    }
    const sub: Subscription = { id: conn.nextSubscriptionId++, accountId: account.accountId };
    conn.subs.set(sub.id, sub);
    this.reply(conn, id, { subscriptionId: sub.id });
  }

  private unsubscribe(conn: Conn, id: Json, params: Record<string, Json>): void {
    const which = params.subscriptionId;
    const ended: number[] = [];
    if (which === undefined || which === null) {
      ended.push(...conn.subs.keys());
    } else if (conn.subs.has(Number(which))) {
      ended.push(Number(which));
    } else {
      return this.fail(conn, id, { status: 400, code: -2036, msg: 'User Data Stream subscription not active.' });
    }
    this.reply(conn, id, {});
    for (const s of ended) {
      conn.subs.delete(s);
      conn.ws.send(JSON.stringify({ subscriptionId: s, event: { e: 'eventStreamTerminated', E: this.now() } }));
    }
  }
}
