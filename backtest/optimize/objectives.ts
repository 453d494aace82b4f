/**
 * What an optimisation maximises, computed from one backtest: its metrics and its equity after
 * every candle. Ratios use the per-candle returns of the equity curve (risk-free rate 0),
 * annualised with the candle interval, so they compare across intervals. Pure.
 *
 * - profit:  net return in percent (fees paid, open position valued at the last price).
 * - sharpe:  mean / standard deviation of the per-candle returns × √(candles per year).
 * - sortino: mean / downside deviation (root mean square of the negative returns) × √(candles per year).
 * - calmar:  return annualised (simple, not compounded) / max drawdown in percent (floored at 0.1 %
 *            so a curve without a drawdown does not divide by zero).
 * - multi:   a freqtrade-MultiMetric-like blend, in return-percent units: return − ½ × max drawdown
 *            + 2 × ln(profit factor, clamped to 0.1..10) + 2 × (win rate − 50 %) / 50 %
 *            − 25 / (trades + 5) (fewer trades, less trust).
 * Ratios are clamped to ±1,000 (a curve with a single losing candle is not infinitely good).
 * `--min-trades n` rejects (fitness null) any params with fewer than n trades, whatever the objective.
 */

export const OBJECTIVES = ['profit', 'sharpe', 'sortino', 'calmar', 'multi'] as const;
export type Objective = (typeof OBJECTIVES)[number];

const YEAR_MS = 365 * 86_400_000;
const CLAMP = 1_000;

/** The few figures kept per evaluation (floats: ranking and reports, never money). */
export interface CompactMetrics {
  readonly candles: number;
  readonly returnPct: number;
  readonly netProfit: string;
  readonly maxDrawdownPct: number;
  readonly trades: number;
  readonly winRatePct: number | null;
  readonly profitFactor: number | null;
  readonly exposurePct: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly calmar: number;
}

export interface EquityCurve {
  readonly values: readonly number[];
  /** Milliseconds per candle. */
  readonly stepMs: number;
  readonly durationMs: number;
}

const clamp = (x: number) => (Number.isFinite(x) ? Math.max(-CLAMP, Math.min(CLAMP, x)) : x > 0 ? CLAMP : -CLAMP);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Sharpe, Sortino and Calmar of an equity curve. */
export function ratios(
  curve: EquityCurve,
  returnPct: number,
  maxDrawdownPct: number,
): { sharpe: number; sortino: number; calmar: number } {
  const v = curve.values;
  const n = v.length - 1;
  let mean = 0;
  const returns: number[] = [];
  for (let i = 1; i < v.length; i++) {
    const r = v[i - 1]! > 0 ? v[i]! / v[i - 1]! - 1 : 0;
    returns.push(r);
    mean += r;
  }
  mean = n > 0 ? mean / n : 0;
  let sq = 0;
  let down = 0;
  for (const r of returns) {
    sq += (r - mean) ** 2;
    if (r < 0) down += r * r;
  }
  const sd = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
  const dd = n > 0 ? Math.sqrt(down / n) : 0;
  const annual = Math.sqrt(YEAR_MS / Math.max(1, curve.stepMs));
  const sharpe = sd > 0 ? (mean / sd) * annual : 0;
  const sortino = dd > 0 ? (mean / dd) * annual : mean > 0 ? CLAMP : 0;
  const annualReturnPct = curve.durationMs > 0 ? returnPct * (YEAR_MS / curve.durationMs) : 0;
  const calmar = annualReturnPct / Math.max(0.1, maxDrawdownPct);
  return { sharpe: round6(clamp(sharpe)), sortino: round6(clamp(sortino)), calmar: round6(clamp(calmar)) };
}

export function multiMetric(m: CompactMetrics): number {
  const pf = m.profitFactor ?? (m.trades > 0 && (m.winRatePct ?? 0) > 0 ? 10 : 1);
  const win = m.winRatePct ?? 0;
  return round6(
    m.returnPct -
      0.5 * m.maxDrawdownPct +
      2 * Math.log(Math.min(10, Math.max(0.1, pf))) +
      (2 * (win - 50)) / 50 -
      25 / (m.trades + 5),
  );
}

export interface Judgement {
  readonly fitness: number | null;
  readonly rejected?: string;
}

export function fitnessOf(objective: Objective, m: CompactMetrics, minTrades: number): Judgement {
  if (m.trades < minTrades)
    return { fitness: null, rejected: `${m.trades} trade(s), fewer than --min-trades ${minTrades}` };
  switch (objective) {
    case 'profit':
      return { fitness: m.returnPct };
    case 'sharpe':
      return { fitness: m.sharpe };
    case 'sortino':
      return { fitness: m.sortino };
    case 'calmar':
      return { fitness: m.calmar };
    case 'multi':
      return { fitness: multiMetric(m) };
  }
}
