/**
 * Market streams: `/ws/<stream>[/<stream>…]` (raw payloads) and `/stream?streams=a/b` (combined
 * `{"stream","data"}`), live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, server pings.
 */
import type { WebSocket } from 'ws';
import type { StreamSink } from '../market/market';

interface Conn {
  readonly ws: WebSocket;
  combined: boolean;
  readonly streams: Set<string>;
}

export interface MarketStreamFaults {
  /** True when this message must be dropped (fault injection). */
  dropMarketMessage(stream: string): boolean;
}

export class MarketStreams implements StreamSink {
  private readonly subs = new Map<string, Set<Conn>>();
  private readonly conns = new Set<Conn>();
  paused = false;
  private readonly held: Array<() => void> = [];
  messagesSent = 0;

  constructor(private readonly faults: MarketStreamFaults) {}

  hasSubscribers(stream: string): boolean {
    const s = this.subs.get(stream);
    return s !== undefined && s.size > 0;
  }

  publish(stream: string, payload: string): void {
    const set = this.subs.get(stream);
    if (!set || set.size === 0) return;
    if (this.faults.dropMarketMessage(stream)) return;
    let combined: string | undefined;
    const send = () => {
      for (const c of set) {
        if (c.ws.readyState !== 1) continue;
        if (c.combined) {
          combined ??= `{"stream":"${stream}","data":${payload}}`;
          c.ws.send(combined);
        } else {
          c.ws.send(payload);
        }
        this.messagesSent++;
      }
    };
    // While frozen, messages wait (bounded) and go out on thaw, like a stalled gateway.
    if (this.paused) {
      if (this.held.length < 100_000) this.held.push(send);
      return;
    }
    send();
  }

  resume(): void {
    this.paused = false;
    const held = this.held.splice(0);
    for (const f of held) f();
  }

  attach(ws: WebSocket, streams: readonly string[], combined: boolean): void {
    const conn: Conn = { ws, combined, streams: new Set() };
    this.conns.add(conn);
    for (const s of streams) this.subscribe(conn, s);
    ws.on('message', (data) => this.onMessage(conn, String(data)));
    ws.on('close', () => {
      for (const s of conn.streams) this.subs.get(s)?.delete(conn);
      this.conns.delete(conn);
    });
  }

  /** Cut every market-stream connection (abrupt: no close frame). */
  cutAll(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.ws.terminate();
    return n;
  }

  /** Polite close with `serverShutdown` first, as Binance does before maintenance. */
  shutdownAll(time: number): void {
    for (const c of this.conns) {
      const ev = { e: 'serverShutdown', E: time };
      c.ws.send(c.combined ? JSON.stringify({ stream: '!serverShutdown', data: ev }) : JSON.stringify(ev));
      c.ws.close(1001, 'server shutdown');
    }
  }

  connectionCount(): number {
    return this.conns.size;
  }

  private subscribe(conn: Conn, stream: string): void {
    const name = canonicalStream(stream);
    conn.streams.add(name);
    let set = this.subs.get(name);
    if (!set) {
      set = new Set();
      this.subs.set(name, set);
    }
    set.add(conn);
  }

  private unsubscribe(conn: Conn, stream: string): void {
    const name = canonicalStream(stream);
    conn.streams.delete(name);
    this.subs.get(name)?.delete(conn);
  }

  private onMessage(conn: Conn, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      conn.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } }));
      return;
    }
    const id = msg.id ?? null;
    const params = Array.isArray(msg.params) ? msg.params : [];
    switch (msg.method) {
      case 'SUBSCRIBE':
        for (const p of params) if (typeof p === 'string') this.subscribe(conn, p);
        conn.ws.send(JSON.stringify({ result: null, id }));
        return;
      case 'UNSUBSCRIBE':
        for (const p of params) if (typeof p === 'string') this.unsubscribe(conn, p);
        conn.ws.send(JSON.stringify({ result: null, id }));
        return;
      case 'LIST_SUBSCRIPTIONS':
        conn.ws.send(JSON.stringify({ result: [...conn.streams], id }));
        return;
      case 'SET_PROPERTY':
        if (params[0] === 'combined') conn.combined = params[1] === true;
        conn.ws.send(JSON.stringify({ result: null, id }));
        return;
      case 'GET_PROPERTY':
        conn.ws.send(JSON.stringify({ result: params[0] === 'combined' ? conn.combined : null, id }));
        return;
      default:
        conn.ws.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown variant \`${String(msg.method)}\`` }, id }));
    }
  }
}

/** Symbols are lower-case in stream names; the suffix keeps Binance's spelling (`@bookTicker`, `@kline_1M`). */
export function canonicalStream(name: string): string {
  const at = name.indexOf('@');
  if (at < 0) return name.toLowerCase();
  const suffix = name.slice(at + 1);
  return `${name.slice(0, at).toLowerCase()}@${/^bookticker$/i.test(suffix) ? 'bookTicker' : suffix}`;
}
