/**
 * Order-book data for backtests from a depth recording (core/analysis/book-replay.ts, the file the
 * paper exchange writes with `--record-depth`): `bookSummary` and `book` requests are answered with
 * the summary of the latest snapshot taken at or before the bot's time — the analysis the live
 * activity (activities/book.ts) runs on a fresh `GET /api/v3/depth`, with the same settings.
 */
import { parseBookSummaryInput } from '../activities/book';
import { SEED_004_BOOK, summarizeBook } from '../core/analysis/book';
import { type RecordedBook, snapshotAt } from '../core/analysis/book-replay';
import type { LocalResolver } from '../core/strategies/seed/local-data';
import type { Json } from '../core/strategy';

export function recordedBookResolver(recording: readonly RecordedBook[]): LocalResolver {
  return (request, { now }) => {
    let symbol: string;
    let cfg = SEED_004_BOOK;
    if (request.kind === 'custom' && request.name === 'bookSummary') {
      try {
        ({ symbol, cfg } = parseBookSummaryInput(request.input));
      } catch (err) {
        return { error: (err as Error).message };
      }
    } else if (request.kind === 'book') {
      symbol = request.symbol;
      cfg = { ...cfg, limit: request.limit };
    } else return undefined;
    const snapshot = snapshotAt(recording, symbol, now);
    if (!snapshot)
      return { error: `no depth snapshot of ${symbol} recorded at or before ${new Date(now).toISOString()}` };
    try {
      return summarizeBook(snapshot, cfg) as unknown as Json;
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
}
