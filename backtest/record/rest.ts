/**
 * Binance's public market-data REST endpoints (no key), as the recorder uses them:
 *   GET /api/v3/time, /api/v3/klines, /api/v3/depth, /api/v3/historicalTrades, /api/v3/aggTrades.
 * Network errors, 5xx and 429/418 (with Retry-After) are retried with backoff a bounded number of
 * times; a 404 means the server has no such endpoint (UnsupportedEndpoint: the caller records the
 * gap instead of retrying forever).
 */
import type { CandleInterval } from '../../core/market';
import type { KlineRow, TradeRow } from '../db/market-db';

export class UnsupportedEndpoint extends Error {
  constructor(readonly endpoint: string) {
    super(`${endpoint} is not available on this server`);
    this.name = 'UnsupportedEndpoint';
  }
}

export class RestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface PublicRestOptions {
  readonly httpBase: string;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class PublicRest {
  private readonly base: string;

  constructor(private readonly o: PublicRestOptions) {
    this.base = o.httpBase.replace(/\/+$/, '');
  }

  private async get(pathname: string, query: Record<string, string | number | undefined>): Promise<unknown> {
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
    const url = `${this.base}${pathname}${qs ? `?${qs}` : ''}`;
    const attempts = this.o.attempts ?? 5;
    const sleep = this.o.sleep ?? realSleep;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
      } catch (err) {
        if (attempt >= attempts) throw new RestError(`GET ${pathname}: ${(err as Error).message}`, null);
        await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)));
        continue;
      }
      if (res.status === 404) {
        await res.body?.cancel();
        throw new UnsupportedEndpoint(`GET ${pathname}`);
      }
      if (res.ok) return res.json();
      const text = await res.text();
      const retryable = res.status >= 500 || res.status === 429 || res.status === 418;
      if (!retryable || attempt >= attempts)
        throw new RestError(`GET ${pathname}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
      const after = Number(res.headers.get('retry-after'));
      await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : Math.min(30_000, 500 * 2 ** (attempt - 1)));
    }
  }

  async serverTime(): Promise<number> {
    const r = (await this.get('/api/v3/time', {})) as { serverTime?: unknown };
    if (typeof r.serverTime !== 'number') throw new RestError('GET /api/v3/time: no serverTime', null);
    return r.serverTime;
  }

  /** Up to `limit` klines from `startTime` (the last one may still be forming). */
  async klines(
    symbol: string,
    interval: CandleInterval,
    startTime: number,
    limit = 1000,
    endTime?: number,
  ): Promise<KlineRow[]> {
    const rows = (await this.get('/api/v3/klines', { symbol, interval, startTime, endTime, limit })) as unknown[];
    if (!Array.isArray(rows)) throw new RestError('GET /api/v3/klines: not an array', null);
    return rows.map((r) => {
      const k = r as [number, string, string, string, string, string, number, string, number, string, string];
      return {
        symbol,
        interval,
        openTime: k[0],
        open: k[1],
        high: k[2],
        low: k[3],
        close: k[4],
        volume: k[5],
        closeTime: k[6],
        quoteVolume: k[7],
        trades: k[8],
        takerBuyBase: k[9],
        takerBuyQuote: k[10],
      };
    });
  }

  async depth(
    symbol: string,
    limit: number,
  ): Promise<{ lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]> }> {
    return (await this.get('/api/v3/depth', { symbol, limit })) as {
      lastUpdateId: number;
      bids: Array<[string, string]>;
      asks: Array<[string, string]>;
    };
  }

  /** Trades from `fromId` on (GET /api/v3/historicalTrades, public on Binance). */
  async trades(symbol: string, fromId: number, limit = 1000): Promise<TradeRow[]> {
    const rows = (await this.get('/api/v3/historicalTrades', { symbol, fromId, limit })) as Array<{
      id: number;
      price: string;
      qty: string;
      time: number;
      isBuyerMaker: boolean;
    }>;
    return rows.map((t) => ({
      symbol,
      id: t.id,
      price: t.price,
      qty: t.qty,
      time: t.time,
      buyerIsMaker: t.isBuyerMaker,
    }));
  }

  /** Aggregate trades from `fromId` on (GET /api/v3/aggTrades). */
  async aggTrades(symbol: string, fromId: number, limit = 1000): Promise<TradeRow[]> {
    const rows = (await this.get('/api/v3/aggTrades', { symbol, fromId, limit })) as Array<{
      a: number;
      p: string;
      q: string;
      f: number;
      l: number;
      T: number;
      m: boolean;
    }>;
    return rows.map((t) => ({
      symbol,
      id: t.a,
      price: t.p,
      qty: t.q,
      time: t.T,
      buyerIsMaker: t.m,
      firstId: t.f,
      lastId: t.l,
    }));
  }
}
