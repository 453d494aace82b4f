/**
 * Market streams: `/ws/<stream>[/<stream>…]` (raw payloads) and `/stream?streams=a/b` (combined
 * `{"stream","data"}`), live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY /
 * GET_PROPERTY, with Binance's limits: 1024 streams a connection, 5 incoming messages a second
 * (over it: closed with 1008), frames up to 64 KiB (bigger: 1009, from ws).
 */
import type { WebSocket } from 'ws';
import type { StreamSink } from '../market/market';
import { CLOSE, MessageRate, WS_LIMITS, awaitedPongs, guarded, sendIfOpen, validRequestId } from './limits';
import { wsText } from '../../infra/ws-text';

interface Conn {
  readonly ws: WebSocket;
  combined: boolean;
  readonly streams: Set<string>;
  readonly rate: MessageRate;
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

  constructor(
    private readonly faults: MarketStreamFaults,
    private readonly log?: (msg: string) => void,
  ) {}

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

  /** Streams named in the URL beyond the limit refuse the connection (server.ts answers 400). */
  static tooManyStreams(streams: readonly string[]): boolean {
    return new Set(streams.filter(validStreamName).map(canonicalStream)).size > WS_LIMITS.streamsPerConnection;
  }

  attach(ws: WebSocket, streams: readonly string[], combined: boolean): void {
    const conn: Conn = { ws, combined, streams: new Set(), rate: new MessageRate(WS_LIMITS.incomingMessagesPerSecond) };
    this.conns.add(conn);
    for (const s of streams) if (validStreamName(s)) this.subscribe(conn, s);
    // Pings and unsolicited pongs count toward the 5 messages a second, like JSON control messages.
    const count = () => {
      if (!conn.rate.hit()) ws.close(CLOSE.policy, 'Too many messages; the limit is 5 incoming messages per second');
    };
    ws.on('ping', count);
    ws.on('pong', () => {
      const awaited = awaitedPongs.get(ws) ?? 0;
      if (awaited > 0) awaitedPongs.set(ws, awaited - 1);
      else count();
    });
    ws.on('message', (data, isBinary) => {
      if (!conn.rate.hit()) {
        ws.close(CLOSE.policy, 'Too many messages; the limit is 5 incoming messages per second');
        return;
      }
      guarded(ws, 'market stream message', () => this.onMessage(conn, isBinary ? null : wsText(data)), this.log);
    });
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
      sendIfOpen(c.ws, c.combined ? JSON.stringify({ stream: '!serverShutdown', data: ev }) : JSON.stringify(ev));
      c.ws.close(CLOSE.goingAway, 'server shutdown');
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

  private reply(conn: Conn, body: Record<string, unknown>): void {
    sendIfOpen(conn.ws, JSON.stringify(body));
  }

  /** Control messages, answered with Binance's codes (web-socket-streams.md "Error Messages"). */
  private onMessage(conn: Conn, text: string | null): void {
    const invalid = (msg: string, id: unknown = null) =>
      this.reply(conn, { error: { code: 2, msg: `Invalid request: ${msg}` }, id });
    if (text === null) return invalid('binary frames are not supported');
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.reply(conn, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return invalid('expected a JSON object');
    const m = msg as { method?: unknown; params?: unknown; id?: unknown };
    if (!validRequestId(m.id ?? null)) return invalid('request ID must be an unsigned integer');
    const id = m.id ?? null;
    if (m.method === undefined) return invalid('missing field `method` at line 1 column 1', id);
    if (m.params !== undefined && !Array.isArray(m.params)) return invalid('params must be an array', id);
    const params = (m.params ?? []) as unknown[];
    switch (m.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!params.every((p) => typeof p === 'string')) return invalid('stream names must be strings', id);
        const names = params;
        const bad = names.find((p) => !validStreamName(p));
        if (bad !== undefined) return invalid(`invalid stream name ${JSON.stringify(bad.slice(0, 50))}`, id);
        if (m.method === 'SUBSCRIBE') {
          const after = new Set([...conn.streams, ...names.map(canonicalStream)]);
          if (after.size > WS_LIMITS.streamsPerConnection)
            return invalid(
              `too many streams: a connection can listen to at most ${WS_LIMITS.streamsPerConnection} streams`,
              id,
            );
          for (const p of names) this.subscribe(conn, p);
        } else {
          for (const p of names) this.unsubscribe(conn, p);
        }
        return this.reply(conn, { result: null, id });
      }
      case 'LIST_SUBSCRIPTIONS':
        return this.reply(conn, { result: [...conn.streams], id });
      case 'SET_PROPERTY': {
        if (params.length !== 2) return invalid('too many parameters', id);
        if (typeof params[0] !== 'string') return invalid('property name must be a string', id);
        if (params[0] !== 'combined') return this.reply(conn, { error: { code: 0, msg: 'Unknown property' }, id });
        if (typeof params[1] !== 'boolean')
          return this.reply(conn, { error: { code: 1, msg: 'Invalid value type: expected Boolean' }, id });
        conn.combined = params[1];
        return this.reply(conn, { result: null, id });
      }
      case 'GET_PROPERTY':
        if (typeof params[0] !== 'string') return invalid('property name must be a string', id);
        if (params[0] !== 'combined') return this.reply(conn, { error: { code: 0, msg: 'Unknown property' }, id });
        return this.reply(conn, { result: conn.combined, id });
      default:
        return invalid(
          `unknown variant ${JSON.stringify((typeof m.method === 'string' ? m.method : JSON.stringify(m.method)).slice(0, 50))}, expected one of \`SUBSCRIBE\`, \`UNSUBSCRIBE\`, \`LIST_SUBSCRIPTIONS\`, \`SET_PROPERTY\`, \`GET_PROPERTY\` at line 1 column 28`,
          id,
        );
    }
  }
}

/** Printable stream names of a sane length (`btcusdt@depth@100ms`, `!ticker@arr`; ccxt also opens `/ws/0`). */
export function validStreamName(name: string): boolean {
  return name.length > 0 && name.length <= WS_LIMITS.maxStreamNameLength && /^[A-Za-z0-9@_!.-]+$/.test(name);
}

/** Symbols are lower-case in stream names; the suffix keeps Binance's spelling (`@bookTicker`, `@kline_1M`). */
export function canonicalStream(name: string): string {
  // All-market streams keep their spelling: `!miniTicker@arr`, `!ticker@arr`.
  if (name.startsWith('!')) return name;
  const at = name.indexOf('@');
  if (at < 0) return name.toLowerCase();
  const suffix = name.slice(at + 1);
  return `${name.slice(0, at).toLowerCase()}@${/^bookticker$/i.test(suffix) ? 'bookTicker' : suffix}`;
}
