/**
 * Backtest metrics: the account's equity after every candle, its drawdown, the time spent in a
 * position, and the trade statistics. The per-candle series is kept in floats (a chart and ratios,
 * never fed back into money) in typed arrays, so a million candles cost a few megabytes and no
 * allocation per candle; profits and fees stay exact decimals.
 */
import { type Dec, d, fromFloat, isNegative, isPositive, str, sub, toFloat } from '../core/decimal';

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
}

export interface BacktestMetrics {
  readonly initialEquity: Dec;
  readonly finalEquity: Dec;
  readonly netProfit: Dec;
  readonly returnPct: number;
  /** Return of holding the base asset from the first open to the last price, for comparison. */
  readonly buyAndHoldPct: number;
  /** Largest fall of equity from a previous peak, in quote and in percent of that peak. */
  readonly maxDrawdown: Dec;
  readonly maxDrawdownPct: number;
  /** Share of candles closed with a position held, in percent. */
  readonly exposurePct: number;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  readonly winRatePct: number | null;
  /** Gross profit / gross loss of the trades; null without a losing trade. */
  readonly profitFactor: number | null;
  readonly bestTrade: Dec | null;
  readonly worstTrade: Dec | null;
  /** Equity after each candle, downsampled to at most the requested number of points. */
  readonly equity: readonly EquityPoint[];
}

export class MetricsRecorder {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  count = 0;
  private peak = Number.NEGATIVE_INFINITY;
  private maxDd = 0;
  private maxDdPct = 0;
  private exposed = 0;
  private startTime = 0;
  private startEquity = 0;

  constructor(
    capacity: number,
    private readonly points: number,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  start(time: number, equity: number): void {
    this.peak = equity;
    this.startEquity = equity;
    this.startTime = time;
  }

  record(time: number, equity: number, inPosition: boolean): void {
    const i = this.count++;
    this.times[i] = time;
    this.values[i] = equity;
    if (equity > this.peak) this.peak = equity;
    else {
      const dd = this.peak - equity;
      if (dd > this.maxDd) this.maxDd = dd;
      const pct = this.peak > 0 ? (dd / this.peak) * 100 : 0;
      if (pct > this.maxDdPct) this.maxDdPct = pct;
    }
    if (inPosition) this.exposed++;
  }

  finish(args: {
    initialEquity: Dec;
    finalEquity: Dec;
    trades: readonly { pnl: Dec }[];
    firstPrice: Dec;
    lastPrice: Dec;
  }): BacktestMetrics {
    const { trades } = args;
    let wins = 0;
    let losses = 0;
    let grossProfit = d(0);
    let grossLoss = d(0);
    let best: Dec | null = null;
    let worst: Dec | null = null;
    for (const t of trades) {
      if (isPositive(t.pnl)) {
        wins++;
        grossProfit = grossProfit.plus(t.pnl);
      } else if (isNegative(t.pnl)) {
        losses++;
        grossLoss = grossLoss.plus(d(t.pnl).negated());
      }
      if (best === null || d(t.pnl).greaterThan(best)) best = t.pnl;
      if (worst === null || d(t.pnl).lessThan(worst)) worst = t.pnl;
    }
    const initial = toFloat(args.initialEquity);
    return {
      initialEquity: args.initialEquity,
      finalEquity: str(d(args.finalEquity).toDecimalPlaces(8)),
      netProfit: str(d(sub(args.finalEquity, args.initialEquity)).toDecimalPlaces(8)),
      returnPct: round(initial > 0 ? ((toFloat(args.finalEquity) - initial) / initial) * 100 : 0),
      buyAndHoldPct: round((toFloat(args.lastPrice) / toFloat(args.firstPrice) - 1) * 100),
      maxDrawdown: fromFloat(this.maxDd, 8),
      maxDrawdownPct: round(this.maxDdPct),
      exposurePct: round(this.count > 0 ? (this.exposed / this.count) * 100 : 0),
      trades: trades.length,
      wins,
      losses,
      winRatePct: trades.length > 0 ? round((wins / trades.length) * 100) : null,
      profitFactor: grossLoss.isZero() ? null : round(grossProfit.dividedBy(grossLoss).toNumber()),
      bestTrade: best,
      worstTrade: worst,
      equity: this.downsample(),
    };
  }

  /** The last point of each bucket (so the final equity is always the last point), first point kept. */
  private downsample(): EquityPoint[] {
    const n = this.count;
    if (n === 0) return [];
    const out: EquityPoint[] = [{ time: this.startTime, equity: this.startEquity }];
    const bucket = Math.max(1, Math.ceil(n / Math.max(1, this.points - 1)));
    for (let i = bucket - 1; i < n; i += bucket)
      out.push({ time: this.times[i]!, equity: roundEquity(this.values[i]!) });
    if ((n - 1) % bucket !== bucket - 1)
      out.push({ time: this.times[n - 1]!, equity: roundEquity(this.values[n - 1]!) });
    return out;
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;
const roundEquity = (x: number): number => Math.round(x * 1e8) / 1e8;
