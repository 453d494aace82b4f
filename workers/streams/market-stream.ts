/**
 * Market streams of one exchange endpoint on a single combined connection
 * (`/stream?streams=a/b/c`): closed klines (`k.x === true`) and trades for price watches.
 */
import type { Candle, CandleInterval } from '../../core/market';
import { candleFromRaw } from '../../activities/mapping';
import { ReconnectingSocket } from './reconnecting-socket';

export interface MarketStreamHandlers {
  onCandle(candle: Candle): void;
  onTrade?(symbol: string, price: string, time: number): void;
  onReconnected?(): void;
}

export function klineStreamName(symbol: string, interval: string): string {
  return `${symbol.toLowerCase()}@kline_${interval}`;
}

export function tradeStreamName(symbol: string): string {
  return `${symbol.toLowerCase()}@trade`;
}

/** `wss://host/ws` → `wss://host/stream?streams=a/b`. */
export function combinedUrl(wsBase: string, streams: readonly string[]): string {
  const root = wsBase.replace(/\/ws\/?$/, '');
  return `${root}/stream?streams=${[...streams].sort().join('/')}`;
}

export class MarketStream {
  private socket: ReconnectingSocket | null = null;
  private streams: string[] = [];
  /** Last message of any stream on this connection (monitoring: staleness). */
  lastMessageAt: number | null = null;

  constructor(
    private readonly wsBase: string,
    private readonly handlers: MarketStreamHandlers,
    private readonly staleAfterMs = 30_000,
  ) {}

  /** Subscribe to exactly this set of streams (reconnects only when the set changed). */
  setStreams(streams: readonly string[]): void {
    const next = [...new Set(streams)].sort();
    if (next.join('/') === this.streams.join('/')) return;
    this.streams = next;
    if (next.length === 0) {
      this.socket?.close();
      this.socket = null;
      return;
    }
    const url = combinedUrl(this.wsBase, next);
    if (this.socket) this.socket.retarget(url);
    else
      this.socket = new ReconnectingSocket(
        url,
        {
          onOpen: (_s, opens) => {
            if (opens > 1) this.handlers.onReconnected?.();
          },
          onMessage: (data) => this.dispatch(data),
        },
        { staleAfterMs: this.staleAfterMs },
      );
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  private dispatch(data: unknown): void {
    this.lastMessageAt = Date.now();
    const payload = (data as { data?: unknown }).data ?? data;
    const e = payload as { e?: string; s?: string; k?: Record<string, unknown>; p?: string; T?: number };
    if (e.e === 'kline' && e.k && e.k.x === true) {
      const k = e.k as {
        t: number;
        T: number;
        s: string;
        i: string;
        o: string;
        h: string;
        l: string;
        c: string;
        v: string;
        q?: string;
      };
      this.handlers.onCandle(
        candleFromRaw(k.s, k.i as CandleInterval, {
          openTime: k.t,
          closeTime: k.T,
          open: k.o,
          high: k.h,
          low: k.l,
          close: k.c,
          volume: k.v,
          ...(k.q !== undefined ? { quoteVolume: k.q } : {}),
        }),
      );
    } else if (e.e === 'trade' && e.s && e.p) {
      this.handlers.onTrade?.(e.s, e.p, Number(e.T ?? Date.now()));
    }
  }
}
