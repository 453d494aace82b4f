/**
 * User-data subscriptions of the WebSocket API (`/ws-api/v3`): `userDataStream.subscribe.signature`
 * (what binance-api-node 0.13.8+ `ws.user()` and ccxt send), `userDataStream.unsubscribe`,
 * `session.subscriptions`. Events go out as `{"subscriptionId":n,"event":{…}}`. The connections
 * themselves (parsing, limits, the other methods) belong to ws-api.ts.
 */
import type { WebSocket } from 'ws';
import type { Json } from '../format';
import { checkTiming } from '../http/auth';
import { ApiError, type Params } from '../http/params';
import { sendIfOpen } from './limits';
import { type WsAccountLookup, authenticateWs } from './ws-params';

export interface UserEventFaults {
  /** Apply user-stream faults to one delivery; `deliver` may be called 0, 1 or 2 times, now or later. */
  routeUserEvent(accountId: string, event: Record<string, Json>, deliver: (event: Record<string, Json>) => void): void;
}

interface Subscription {
  readonly id: number;
  readonly accountId: string;
}

/** One WebSocket API connection as far as user data goes. */
export interface UserConn {
  readonly ws: WebSocket;
  readonly subs: Map<number, Subscription>;
  nextSubscriptionId: number;
}

export class UserStreams {
  private readonly conns = new Set<UserConn>();
  paused = false;
  private readonly held: Array<() => void> = [];
  eventsSent = 0;

  constructor(
    private readonly accounts: WsAccountLookup,
    private readonly now: () => number,
    private readonly faults: UserEventFaults,
  ) {}

  open(ws: WebSocket): UserConn {
    const conn: UserConn = { ws, subs: new Map(), nextSubscriptionId: 0 };
    this.conns.add(conn);
    return conn;
  }

  close(conn: UserConn): void {
    this.conns.delete(conn);
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
    for (const c of this.conns)
      for (const s of c.subs.values()) if (accountId === undefined || s.accountId === accountId) n++;
    return n;
  }

  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }

  private send(conn: UserConn, sub: Subscription, event: Record<string, Json>): void {
    const go = () => {
      // The subscription may have ended while a delayed event waited.
      if (!conn.subs.has(sub.id)) return;
      if (sendIfOpen(conn.ws, JSON.stringify({ subscriptionId: sub.id, event }))) this.eventsSent++;
    };
    if (this.paused) {
      if (this.held.length < 100_000) this.held.push(go);
      return;
    }
    go();
  }

  /** `userDataStream.subscribe.signature`: apiKey, timestamp, recvWindow (≤ 60000), signature. */
  subscribe(conn: UserConn, params: Params): Json {
    const { accountId } = authenticateWs(params, this.accounts);
    checkTiming(params, this.now());
    params.assertAllRead(['apiKey', 'signature']);
    for (const s of conn.subs.values()) {
      if (s.accountId === accountId) throw new ApiError(-2035, 'User Data Stream subscription already active.');
    }
    if (conn.subs.size >= 1000) throw new ApiError(-2042, 'Maximum subscription ID reached for this connection.');
    const sub: Subscription = { id: conn.nextSubscriptionId++, accountId };
    conn.subs.set(sub.id, sub);
    return { subscriptionId: sub.id };
  }

  /** `userDataStream.unsubscribe` [subscriptionId]: {} now, then `eventStreamTerminated` per ended subscription. */
  unsubscribe(conn: UserConn, params: Params): { result: Json; after: () => void } {
    const which = params.int('subscriptionId');
    params.assertAllRead();
    let ended: number[];
    if (which === undefined) ended = [...conn.subs.keys()];
    else if (conn.subs.has(which)) ended = [which];
    else throw new ApiError(-2036, 'User Data Stream subscription not active.');
    return {
      result: {},
      after: () => {
        for (const s of ended) {
          conn.subs.delete(s);
          sendIfOpen(
            conn.ws,
            JSON.stringify({ subscriptionId: s, event: { e: 'eventStreamTerminated', E: this.now() } }),
          );
        }
      },
    };
  }

  list(conn: UserConn): Json {
    return [...conn.subs.keys()].map((s) => ({ subscriptionId: s }));
  }
}
