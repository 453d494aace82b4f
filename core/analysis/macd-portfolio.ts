/**
 * Seed 002 (English, "Personal Binance Bot Server"): the daily analysis of one symbol, the
 * RiskManager and the balancer, as the seed's "UNDER THE HOOD" describes them:
 *
 * - "The PorfolioManager instance ask the TradingManager what's new in the market, and according to
 *   de algorithm especified responds with a dict of actions": MACD on daily candles gives buy / sell
 *   / hold per symbol (`analyzeDaily`).
 * - "first ask de RiskManager the amount to invest": "The RiskManager works on a basis of ATR
 *   technical indicator and support/resistances (estimated from historical data with k-means
 *   clusters) to determine how much can the value drop prior to make any profit. According to the
 *   risk stablished when the RiskManager gets instantiated it adjusts each amount accordingly"
 *   (`riskAmount`).
 * - "second it filters through a balancer the amounts in case the total amount to invest is higher
 *   than the free amount of USDT available" (`balanceAmounts`).
 *
 * The seed states no periods, cluster count or risk level; the defaults used are the usual MACD
 * (12, 26, 9), ATR 14 and values documented on the strategy's params. Pure; indicators in floats,
 * amounts in decimal strings.
 */
import { type Dec, d, floorToStep, fromFloat, gt, isPositive, str } from '../decimal';
import { atr as atrState, nextAtr } from '../indicators/atr';
import { macd as macdState, macdCross, nextMacd } from '../indicators/macd';
import type { Candle } from '../market';
import { kmeans1d } from './kmeans';

export interface DailyConfig {
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
  readonly atrPeriod: number;
  /** k of the k-means over the closes. */
  readonly clusters: number;
  /**
   * "cross": buy on the day MACD crosses above its signal line, sell on the day it crosses below,
   * hold otherwise. "trend": buy while MACD is above its signal, sell while below (every symbol gets
   * an action, as the seed's sample `/app/market` answer lists every symbol under buy or sell).
   */
  readonly mode: 'cross' | 'trend';
}

export type DailyAction = 'buy' | 'sell' | 'hold';

export interface SymbolAnalysis {
  readonly symbol: string;
  /** Open time of the last closed daily candle analysed. */
  readonly day: number;
  readonly close: Dec;
  readonly candles: number;
  readonly macd: number | null;
  readonly signal: number | null;
  readonly histogram: number | null;
  readonly cross: 'up' | 'down' | null;
  readonly action: DailyAction;
  readonly atr: number | null;
  /** k-means centres of the closes, ascending. */
  readonly levels: readonly number[];
  /** Highest level below the close, else the lowest low of the history. */
  readonly support: number | null;
  /** Lowest level above the close. */
  readonly resistance: number | null;
  readonly why: string;
}

const r6 = (v: number | null) => (v === null ? null : Number(v.toPrecision(8)));

export function analyzeDaily(symbol: string, candles: readonly Candle[], cfg: DailyConfig): SymbolAnalysis {
  const sorted = [...candles].sort((a, b) => a.openTime - b.openTime);
  let m = macdState(cfg.fast, cfg.slow, cfg.signal);
  let a = atrState(cfg.atrPeriod);
  for (const c of sorted) {
    m = nextMacd(m, Number(c.close));
    a = nextAtr(a, { high: Number(c.high), low: Number(c.low), close: Number(c.close) });
  }
  const last = sorted[sorted.length - 1];
  const close = last?.close ?? '0';
  const cross = macdCross(m);
  let action: DailyAction = 'hold';
  let why: string;
  if (m.macd === null || m.signal === null)
    why = `not enough daily candles for MACD(${cfg.fast}, ${cfg.slow}, ${cfg.signal}): ${sorted.length}`;
  else if (cfg.mode === 'cross') {
    action = cross === 'up' ? 'buy' : cross === 'down' ? 'sell' : 'hold';
    why = cross
      ? `MACD crossed ${cross === 'up' ? 'above' : 'below'} its signal (${r6(m.prevMacd)} vs ${r6(m.prevSignal)} -> ${r6(m.macd)} vs ${r6(m.signal)})`
      : `no MACD crossing (${r6(m.macd)} vs signal ${r6(m.signal)})`;
  } else {
    action = m.macd > m.signal ? 'buy' : m.macd < m.signal ? 'sell' : 'hold';
    why = `MACD ${r6(m.macd)} ${m.macd > m.signal ? 'above' : m.macd < m.signal ? 'below' : 'at'} its signal ${r6(m.signal)}`;
  }
  const closes = sorted.map((c) => Number(c.close));
  const levels = kmeans1d(closes, cfg.clusters).clusters.map((c) => c.center);
  const px = Number(close);
  const below = levels.filter((l) => l < px);
  const above = levels.filter((l) => l > px);
  const lowestLow = sorted.length > 0 ? Math.min(...sorted.map((c) => Number(c.low))) : null;
  return {
    symbol,
    day: last?.openTime ?? 0,
    close,
    candles: sorted.length,
    macd: r6(m.macd),
    signal: r6(m.signal),
    histogram: r6(m.histogram),
    cross,
    action,
    atr: r6(a.value),
    levels: levels.map((l) => r6(l)!),
    support: below.length > 0 ? r6(below[below.length - 1]!) : r6(lowestLow),
    resistance: above.length > 0 ? r6(above[0]!) : null,
    why,
  };
}

export type RiskAnswer =
  | { readonly ok: true; readonly amount: Dec; readonly stopDistance: Dec; readonly stopPct: Dec; readonly why: string }
  | { readonly ok: false; readonly why: string };

/**
 * How much quote to invest: the price may fall to the support and one ATR beyond it before the
 * trade pays ("how much can the value drop prior to make any profit"); the amount is the one whose
 * loss over that fall is `risk` (a fraction) of `capital`: amount = capital x risk / (fall / close).
 */
export function riskAmount(a: SymbolAnalysis, capital: Dec, risk: Dec): RiskAnswer {
  if (a.atr === null || a.support === null)
    return { ok: false, why: 'ATR or support not available (too few daily candles)' };
  if (!isPositive(a.close)) return { ok: false, why: `no close for ${a.symbol}` };
  const toSupport = Math.max(0, Number(a.close) - a.support);
  const fall = d(fromFloat(toSupport, 8)).plus(fromFloat(a.atr, 8));
  if (!fall.greaterThan(0)) return { ok: false, why: `no room to size: support ${a.support} and ATR ${a.atr}` };
  const stopPct = fall.dividedBy(a.close).times(100);
  const amount = floorToStep(str(d(capital).times(risk).times(a.close).dividedBy(fall)), '0.01');
  return {
    ok: true,
    amount,
    stopDistance: str(fall.toDecimalPlaces(8)),
    stopPct: str(stopPct.toDecimalPlaces(4)),
    why: `may fall ${str(fall.toDecimalPlaces(8))} (${str(stopPct.toDecimalPlaces(4))}%: to support ${a.support} plus ATR ${a.atr}) before paying; risking ${risk} of ${capital} -> ${amount}`,
  };
}

export interface BalancedAmounts {
  /** Factor applied to every buy: 1, or free / total when the total exceeds the free quote. */
  readonly scale: Dec;
  readonly total: Dec;
  readonly amounts: Readonly<Record<string, Dec>>;
}

/** Scale all buys down together when their total exceeds the free quote balance. */
export function balanceAmounts(amounts: Readonly<Record<string, Dec>>, free: Dec): BalancedAmounts {
  const total = str(Object.values(amounts).reduce((acc, v) => acc.plus(v), d(0)));
  const scale = gt(total, free) && isPositive(total) ? str(d(free).dividedBy(total).toDecimalPlaces(12, 1)) : '1';
  const scaled = Object.fromEntries(
    Object.entries(amounts).map(([s, v]) => [s, floorToStep(str(d(v).times(scale)), '0.01')]),
  );
  return { scale, total, amounts: scaled };
}
