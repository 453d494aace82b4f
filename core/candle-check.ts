/**
 * Is this candle one the exchange could have sent? A closed candle opens on its interval's
 * boundary, closes one interval later, lies in the past (give or take clock skew), and its high
 * and low bound its open and close. A candle failing any of these is dropped and recorded: one
 * candle dated in the year 2255 would otherwise make every real candle after it look like a
 * duplicate, and a price of "NaN" would be traded on. Pure.
 */
import { type Decimal, d } from './decimal';
import { type Candle, type CandleInterval, intervalMs } from './market';
import { candleSchema } from './message-schemas';
import { formatIssues } from './schema';

/** How far a candle's close may lie ahead of the bot's clock by default: clocks of two hosts differ. */
export const DEFAULT_MAX_CANDLE_LEAD_MS = 60_000;

/**
 * The paper exchange's manual mode (tests, benchmarks, the torture) closes a candle each time it
 * is told to, one interval after the last, far ahead of the wall clock: bots fed by it accept
 * candles this far ahead (a RuntimeOptions value, never a default).
 */
export const MANUAL_PAPER_CANDLE_LEAD_MS = 30 * 86_400_000;

/** Binance's weekly candles open on Mondays 00:00 UTC; the epoch was a Thursday. */
const WEEK_OFFSETS_MS = [0, 4 * 86_400_000];

export interface CandleExpectations {
  readonly symbol: string;
  readonly interval: CandleInterval;
  /** The bot's clock (workflow time). */
  readonly now: number;
  /** How far ahead of `now` a candle's close may lie. */
  readonly maxLeadMs: number;
}

export type CandleVerdict =
  { readonly ok: true; readonly candle: Candle } | { readonly ok: false; readonly reason: string };

/** Parse and check one candle; the reason names every field that is wrong. */
export function checkCandle(raw: unknown, expect: CandleExpectations): CandleVerdict {
  const parsed = candleSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error).join('; ') };
  const c = parsed.data as Candle;
  const problems = candleProblems(c, expect);
  return problems.length > 0 ? { ok: false, reason: problems.join('; ') } : { ok: true, candle: c };
}

export function candleProblems(c: Candle, expect: CandleExpectations): string[] {
  const problems: string[] = [];
  if (c.symbol !== expect.symbol || c.interval !== expect.interval) {
    problems.push(`candle of ${c.symbol} ${c.interval}: this bot trades ${expect.symbol} ${expect.interval}`);
  }
  const ms = intervalMs(c.interval);
  const offsets = c.interval === '1w' ? WEEK_OFFSETS_MS : [0];
  if (!offsets.some((o) => (c.openTime - o) % ms === 0))
    problems.push(`openTime: ${c.openTime} is not on a ${c.interval} boundary`);
  if (c.closeTime !== c.openTime + ms - 1)
    problems.push(`closeTime: must be openTime + ${ms - 1} for ${c.interval} candles (got ${c.closeTime})`);
  if (c.closeTime > expect.now + expect.maxLeadMs) {
    problems.push(
      `closeTime: ${new Date(Math.min(c.closeTime, 8.64e15)).toISOString()} is in the future (the bot's clock says ${new Date(expect.now).toISOString()})`,
    );
  }
  const [open, high, low, close] = [c.open, c.high, c.low, c.close].map(d) as [Decimal, Decimal, Decimal, Decimal];
  if (high.lt(open) || high.lt(close)) problems.push(`high: ${c.high} is below the open or the close`);
  if (low.gt(open) || low.gt(close)) problems.push(`low: ${c.low} is above the open or the close`);
  return problems;
}
