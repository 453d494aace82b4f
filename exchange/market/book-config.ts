/**
 * The paper exchange's order book settings. By default a realistic book: a two-tick spread around
 * the last price (bid one tick below, ask one tick above), 5000 levels a side one tick apart, each
 * worth about 20,000 quote units (0.67 BTC at 30,000) varied ±80 % by level, so REST depth up to
 * 5000 and the diff stream show a book that looks and trades like a liquid Binance pair: a taker
 * order walks the levels it needs and pays the spread. `ZERO_SPREAD_BOOK` is the idealised book
 * (bid = ask = last, unlimited depth at the last price, 20 display levels of 10): every taker
 * order fills at the last price, as in the backtester's default.
 */
import { type BookModel, unlimitedBook } from '../../venue';

export const REALISTIC_BOOK: BookModel = {
  spreadTicks: 1,
  levels: 5000,
  levelStepTicks: 1,
  levelQty: null,
  levelNotional: '20000',
  qtyJitter: 0.8,
};

/** bid = ask = last; taker orders fill at the last price whatever their size. */
export const ZERO_SPREAD_BOOK: Partial<BookModel> = { spreadTicks: 0, levels: 20, levelStepTicks: 1, levelQty: null };

/**
 * Options → the venue's book (what taker orders fill against) and the book shown (the same, or
 * flat levels of 10 when the venue's depth is unlimited). Giving `levelQty` asks for flat levels
 * of that size: the realistic notional and jitter then apply only if given too.
 */
export function resolveBook(opts: Partial<BookModel> | undefined): { venue: BookModel; display: BookModel } {
  const given = opts ?? {};
  const flat = 'levelQty' in given;
  const venue: BookModel = {
    ...REALISTIC_BOOK,
    ...(flat ? { levelNotional: null, qtyJitter: 0 } : {}),
    ...given,
  };
  if (!unlimitedBook(venue)) return { venue, display: venue };
  return {
    venue,
    display: { ...venue, levels: given.levels ?? 20, levelQty: '10', levelNotional: null, qtyJitter: 0 },
  };
}
