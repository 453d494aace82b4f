/**
 * Price sources: a seeded random walk (default), replay of a Binance kline file, manual. Each
 * drives `Market.trade`. Timers are the only clock; everything else is deterministic.
 */
import { readFileSync } from 'node:fs';
import { type Dec, Decimal, d, str } from '../../core/decimal';
import { CANDLE_INTERVALS, type Candle, type CandleInterval, intervalMs } from '../../core/market';
import { candlePricePath } from '../../venue';
import { type Kline, alignedOpen } from './candles';
import type { Market } from './market';
import { seededRandom } from '../../core/random';

export type PriceSourceOptions =
  | {
      readonly kind: 'random-walk';
      readonly seed?: number;
      readonly tickMs?: number;
      /** Relative size of one tick's move (default 0.0005). */
      readonly volatility?: number;
      readonly startPrices?: Readonly<Record<string, Dec>>;
      /** Closed candles generated before the start for every interval, so bots can warm up (default 500; 0 = none). */
      readonly history?: number;
    }
  | {
      readonly kind: 'replay';
      readonly file: string;
      readonly symbol?: string;
      /** Interval of the file's candles; inferred from closeTime - openTime when omitted. */
      readonly interval?: CandleInterval;
      /** Wall-clock ms between replayed candles (default 1000). Ignored with `manual`. */
      readonly candleMs?: number;
      /** Step candles only through `market.replayNext()` (deterministic tests, parity runs). */
      readonly manual?: boolean;
      readonly loop?: boolean;
    }
  | {
      readonly kind: 'manual';
      readonly startPrices?: Readonly<Record<string, Dec>>;
      /**
       * Open the first hand-closed candle this far ahead of the wall clock (default 0). A reader of
       * klines takes a candle whose close time has passed as closed (Binance's rule): without a lead,
       * a candle nobody has closed yet looks closed once its minute is over. Its bots must accept
       * the lead (`maxCandleLeadMs`).
       */
      readonly leadMs?: number;
    }
  | { readonly kind: 'mirror'; readonly symbols?: readonly string[] };

export const DEFAULT_START_PRICES: Readonly<Record<string, Dec>> = {
  BTCUSDT: '30000',
  ETHUSDT: '2000',
  BNBUSDT: '300',
};

export interface PriceSource {
  start(): void;
  stop(): void;
  /** Replay only: play the next candle now; false at the end of the file. */
  next?(): boolean;
}

/**
 * Timers must not take the whole exchange down: an internal error (a bug) is logged and the
 * next tick carries on. Bad input never reaches here; it is refused at the API.
 */
function guarded(f: () => void): void {
  try {
    f();
  } catch (e) {
    console.error('paper exchange: price tick failed', e);
  }
}

/** The seeded generator of the price walk (core/random.ts). */
export const prng = seededRandom;

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** One symbol's walk: multiplicative steps rounded to the tick, quantities rounded to the step. */
export class RandomWalk {
  private readonly rand: () => number;
  private price: Decimal;

  constructor(
    seed: number,
    symbol: string,
    start: Dec,
    private readonly tick: Dec,
    private readonly step: Dec,
    private readonly volatility: number,
  ) {
    this.rand = prng(seed ^ hashString(symbol));
    this.price = d(start);
  }

  next(): { price: Dec; qty: Dec; buyerIsTaker: boolean } {
    // Sum of three uniforms ≈ a bell curve, cheap and deterministic.
    const z = (this.rand() + this.rand() + this.rand() - 1.5) * 2;
    const factor = new Decimal((1 + z * this.volatility).toFixed(10));
    let next = this.price.times(factor).dividedBy(this.tick).round().times(this.tick);
    if (next.lessThanOrEqualTo(0)) next = d(this.tick);
    this.price = next;
    const qtySteps = 1 + Math.floor(this.rand() * 1000);
    const qty = d(this.step).times(qtySteps);
    return { price: str(next), qty: str(qty), buyerIsTaker: this.rand() < 0.5 };
  }
}

export function randomWalkSource(
  market: Market,
  opts: {
    seed: number;
    tickMs: number;
    volatility: number;
    history: number;
    now: () => number;
    isFrozen: () => boolean;
    steps: Map<string, { tick: Dec; step: Dec }>;
  },
): PriceSource {
  const walks = new Map<string, RandomWalk>();
  for (const symbol of market.symbolNames()) {
    const f = opts.steps.get(symbol);
    const start = market.price(symbol) ?? DEFAULT_START_PRICES[symbol] ?? '100';
    if (!f) continue;
    walks.set(symbol, new RandomWalk(opts.seed, symbol, start, f.tick, f.step, opts.volatility));
    if (opts.history > 0) {
      const t = opts.now();
      for (const interval of CANDLE_INTERVALS) {
        // A restored state already has candles: never rewrite them.
        if (market.klines(symbol, interval, { limit: 1 }).length > 0) continue;
        market.importHistory(
          syntheticHistory({
            symbol,
            interval,
            count: opts.history,
            endOpenTime: alignedOpen(t, interval),
            lastClose: start,
            tick: f.tick,
            step: f.step,
            seed: opts.seed,
            volatility: opts.volatility,
            tickMs: opts.tickMs,
          }),
        );
      }
    }
  }
  let tickTimer: NodeJS.Timeout | undefined;
  let boundaryTimer: NodeJS.Timeout | undefined;
  const scheduleBoundary = () => {
    const now = opts.now();
    boundaryTimer = setTimeout(
      () => {
        if (!opts.isFrozen()) guarded(() => market.advanceAll(opts.now()));
        scheduleBoundary();
      },
      1000 - (now % 1000) + 1,
    );
    boundaryTimer.unref?.();
  };
  return {
    start() {
      tickTimer = setInterval(() => {
        if (opts.isFrozen()) return;
        const now = opts.now();
        guarded(() => {
          for (const [symbol, walk] of walks) {
            const t = walk.next();
            market.trade(symbol, t.price, t.qty, now, { buyerIsTaker: t.buyerIsTaker });
          }
        });
      }, opts.tickMs);
      tickTimer.unref?.();
      scheduleBoundary();
    },
    stop() {
      if (tickTimer) clearInterval(tickTimer);
      if (boundaryTimer) clearTimeout(boundaryTimer);
    },
  };
}

/**
 * Plausible closed candles before `endOpenTime` ending at `lastClose`, generated backwards with the
 * seeded generator (deterministic). Each interval gets its own series; they are not aggregates of
 * each other, which is fine for warming up indicators.
 */
export function syntheticHistory(opts: {
  symbol: string;
  interval: CandleInterval;
  count: number;
  endOpenTime: number;
  lastClose: Dec;
  tick: Dec;
  step: Dec;
  seed: number;
  volatility: number;
  tickMs: number;
}): Kline[] {
  const ms = intervalMs(opts.interval);
  const rand = prng(opts.seed ^ hashString(`${opts.symbol}@${opts.interval}`));
  const sigma = Math.min(0.05, opts.volatility * Math.sqrt(ms / Math.max(1, opts.tickMs)));
  const tick = d(opts.tick);
  const roundTick = (x: Decimal) => {
    const r = x.dividedBy(tick).round().times(tick);
    return r.lessThan(tick) ? tick : r;
  };
  const out: Kline[] = [];
  let close = d(opts.lastClose);
  for (let i = 1; i <= opts.count; i++) {
    const z = (rand() + rand() + rand() - 1.5) * 2;
    const open = roundTick(close.dividedBy(new Decimal((1 + z * sigma).toFixed(10))));
    const hi = roundTick(Decimal.max(open, close).times(new Decimal((1 + rand() * sigma * 0.5).toFixed(10))));
    const lo = roundTick(Decimal.min(open, close).times(new Decimal((1 - rand() * sigma * 0.5).toFixed(10))));
    const volume = d(opts.step).times(1 + Math.floor(rand() * 100_000));
    const openTime = opts.endOpenTime - i * ms;
    out.push({
      symbol: opts.symbol,
      interval: opts.interval,
      openTime,
      closeTime: openTime + ms - 1,
      open: str(open),
      high: str(Decimal.max(hi, open, close)),
      low: str(Decimal.min(lo, open, close)),
      close: str(close),
      volume: str(volume),
      quoteVolume: str(volume.times(close)),
      trades: 1 + Math.floor(rand() * 1000),
      takerBuyBase: '0',
      takerBuyQuote: '0',
      firstTradeId: -1,
      lastTradeId: -1,
      closed: true,
    });
    close = open;
  }
  return out.reverse();
}

/** Parse a Binance kline file: a JSON array (of rows or objects) or CSV rows (header optional). */
export function parseKlineFile(text: string, symbol: string, interval?: CandleInterval): Candle[] {
  const trimmed = text.trim();
  let rows: unknown[][];
  if (trimmed.startsWith('[')) {
    const parsed = JSON.parse(trimmed) as unknown[];
    rows = parsed.map((r) => {
      if (Array.isArray(r)) return r as unknown[];
      const o = r as Record<string, unknown>;
      return [o.openTime, o.open, o.high, o.low, o.close, o.volume, o.closeTime, o.quoteVolume ?? o.quoteAssetVolume];
    });
  } else {
    rows = trimmed
      .split(/\r?\n/)
      .map((l) => l.split(','))
      .filter((cells) => /^[0-9]+$/.test((cells[0] ?? '').trim()));
  }
  const toMs = (v: unknown): number => {
    const n = Number(v);
    // Binance's public data switched spot files to microseconds in 2025.
    return n > 1e14 ? Math.floor(n / 1000) : n;
  };
  const cell = (v: unknown): string => String(v).trim();
  const candles: Candle[] = rows.map((r) => {
    const openTime = toMs(r[0]);
    const closeTime = toMs(r[6]);
    const inferred = interval ?? inferInterval(closeTime - openTime + 1);
    return {
      symbol,
      interval: inferred,
      openTime,
      closeTime,
      open: str(cell(r[1])),
      high: str(cell(r[2])),
      low: str(cell(r[3])),
      close: str(cell(r[4])),
      volume: str(cell(r[5])),
      ...(r[7] !== undefined ? { quoteVolume: str(cell(r[7])) } : {}),
    };
  });
  return candles.sort((a, b) => a.openTime - b.openTime);
}

function inferInterval(ms: number): CandleInterval {
  const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  for (const i of CANDLE_INTERVALS) {
    const n = Number(i.slice(0, -1)) * (units[i.slice(-1)] ?? 0);
    if (n === ms) return i;
  }
  throw new Error(`cannot infer the kline interval from a ${ms} ms candle`);
}

/**
 * Replay: each candle plays its intra-candle path (venue candlePricePath, the backtester's
 * path) through the market, then the file's candle is emitted as the closed kline, values as in the
 * file. Times are the file's.
 */
export function replaySource(
  market: Market,
  opts: {
    candles: Candle[];
    symbol: string;
    interval: CandleInterval;
    candleMs: number;
    manual: boolean;
    loop: boolean;
    isFrozen: () => boolean;
  },
): PriceSource {
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  const playOne = (): boolean => {
    if (index >= opts.candles.length) {
      if (!opts.loop) return false;
      index = 0;
    }
    const c = opts.candles[index++] as Candle;
    market.openCandleAt(opts.symbol, opts.interval, c.openTime, c.open);
    for (const p of candlePricePath(c)) market.trade(opts.symbol, p.price, p.qty, p.time, { sweep: p.sweep });
    market.closeCandle(opts.symbol, opts.interval, {
      openTime: c.openTime,
      closeTime: c.closeTime,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      quoteVolume: c.quoteVolume ?? '0',
      trades: 4,
      takerBuyBase: '0',
      takerBuyQuote: '0',
      firstTradeId: -1,
      lastTradeId: -1,
    });
    market.advanceTo(opts.symbol, c.closeTime + 1);
    return true;
  };
  return {
    start() {
      if (opts.manual) return;
      timer = setInterval(() => {
        if (opts.isFrozen()) return;
        guarded(() => {
          if (!playOne() && timer) clearInterval(timer);
        });
      }, opts.candleMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    next: playOne,
  };
}

export function loadReplay(file: string, symbol: string, interval?: CandleInterval): Candle[] {
  return parseKlineFile(readFileSync(file, 'utf8'), symbol, interval);
}
