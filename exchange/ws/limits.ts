/**
 * Binance's WebSocket limits (web-socket-streams.md "WebSocket Limits", web-socket-api.md) and the
 * small helpers that enforce them. A connection that breaks a limit gets Binance's answer or a
 * close with a standard code, never a crash of the exchange.
 */
import type { WebSocket } from 'ws';

export const WS_LIMITS = {
  /** "A single connection can listen to a maximum of 1024 streams." */
  streamsPerConnection: 1024,
  /** "WebSocket connections have a limit of 5 incoming messages per second" (pings, pongs and JSON count). */
  incomingMessagesPerSecond: 5,
  /** Largest frame we read; bigger ones close the connection with 1009 (Message Too Big). */
  maxPayloadBytes: 64 * 1024,
  /** A stream name longer than this is not a Binance stream. */
  maxStreamNameLength: 200,
} as const;

/** RFC 6455 close codes we use. */
export const CLOSE = {
  /** Policy violation: over the incoming-message rate. */
  policy: 1008,
  /** Internal error while handling a frame (a bug: the connection goes, the exchange stays). */
  internal: 1011,
  goingAway: 1001,
} as const;

/**
 * Incoming-message counter over a sliding second: `hit()` returns false once the connection has
 * sent more than `limit` messages within the last 1000 ms.
 */
export class MessageRate {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(): boolean {
    const t = this.now();
    while (this.times.length > 0 && t - (this.times[0] as number) >= 1000) this.times.shift();
    this.times.push(t);
    return this.times.length <= this.limit;
  }
}

/**
 * Pings the server sent and not yet answered, per socket: the pong that answers one is not an
 * incoming message the client chose to send, so it does not count toward the 5 a second (a
 * heartbeat shortened in tests would otherwise close every connection).
 */
export const awaitedPongs = new WeakMap<WebSocket, number>();

/** Send if the socket is open; a closing or closed socket is silently skipped. */
export function sendIfOpen(ws: WebSocket, text: string): boolean {
  if (ws.readyState !== 1) return false;
  ws.send(text);
  return true;
}

/**
 * Run a frame handler; an unexpected exception (a bug, never bad input, which handlers answer
 * themselves) closes this connection with 1011 instead of taking the whole exchange down.
 */
export function guarded(ws: WebSocket, what: string, fn: () => void, log?: (msg: string) => void): void {
  try {
    fn();
  } catch (e) {
    log?.(`${what}: ${(e as Error).stack ?? String(e)}`);
    try {
      ws.close(CLOSE.internal, 'internal error');
    } catch {
      ws.terminate();
    }
  }
}

/**
 * Request ids Binance accepts on market streams and the WebSocket API: a 64-bit signed integer, an
 * alphanumeric string of at most 36 characters (dashes and underscores allowed, as UUIDs have
 * them), or null.
 */
export function validRequestId(id: unknown): boolean {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isInteger(id) && Math.abs(id) <= Number.MAX_SAFE_INTEGER;
  if (typeof id === 'string') return /^[A-Za-z0-9_-]{1,36}$/.test(id);
  return false;
}
