/**
 * Order-book analysis for the seed-004 bot, as a data handler for the `fetchData` activity: fetch
 * the depth (binance-api-node `book`, `GET /api/v3/depth`), run the seed's peak finding and
 * pressure measure (core/analysis/book.ts) and return only the small summary. The raw book (up to
 * 2 x 500 levels) never enters the workflow history.
 *
 * The bot asks with `{ kind: 'custom', name: 'bookSummary', input: { symbol, limit, ... } }`, since
 * the analysis settings are the bot's params; the worker registers `createBookSummaryHandler()` for
 * the custom name `bookSummary` (see `customHandlers` below). A plain `{ kind: 'book' }` request gets
 * the summary with the seed's settings.
 */
import { z } from 'zod';
import { type BookAnalysisConfig, SEED_004_BOOK, type BookSummary, summarizeBook } from '../core/analysis/book';
import type { BookSnapshot } from '../core/market';
import { FUTURES_DEPTH_LIMITS } from '../core/strategies/book-imbalance-perp';
import type { DataRequest, Json } from '../core/strategy';

/**
 * A refusal retrying cannot fix. Temporal takes an activity error's type from its class name, and
 * the runtime's retry policy does not retry the type `InvalidRequest`: hence the class name.
 */
export class InvalidRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

export const bookSummaryInput = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9]{5,20}$/),
    limit: z.number().int().min(5).max(5000).default(SEED_004_BOOK.limit),
    relativeThreshold: z.number().min(0).default(SEED_004_BOOK.relativeThreshold),
    prominence: z.number().min(0).default(SEED_004_BOOK.prominence),
    height: z.number().default(SEED_004_BOOK.height),
    peakDistanceDivisor: z.number().min(0).default(SEED_004_BOOK.peakDistanceDivisor),
    maxPeaks: z.number().int().min(1).max(50).default(SEED_004_BOOK.maxPeaks),
    /** A futures bot reads the USDⓈ-M book (`GET /fapi/v1/depth`); absent means spot, as before. */
    market: z.enum(['spot', 'futures']).optional(),
  })
  .strict()
  .refine((v) => v.market !== 'futures' || FUTURES_DEPTH_LIMITS.includes(v.limit), {
    message: `futures depth takes ${FUTURES_DEPTH_LIMITS.join(', ')} levels`,
    path: ['limit'],
  });
export type BookSummaryInput = z.input<typeof bookSummaryInput>;

/** Request weight of `GET /fapi/v1/depth` by limit (Binance USDⓈ-M docs). */
export function futuresDepthWeight(limit: number): number {
  if (limit <= 50) return 2;
  if (limit <= 100) return 5;
  if (limit <= 500) return 10;
  return 20;
}

/** Request weight of `GET /api/v3/depth` by limit (Binance spot docs). */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

type RawLevel = readonly [string, string] | { readonly price: string; readonly quantity: string };

interface RawDepth {
  readonly lastUpdateId?: number;
  readonly bids: readonly RawLevel[];
  readonly asks: readonly RawLevel[];
}

/** What the handler needs from an exchange account (activities/exchange-account.ts `call`). */
export interface DepthSource {
  call<T>(
    what: string,
    weight: number,
    fn: (rest: {
      book(p: Record<string, string | number>): Promise<RawDepth>;
      /** binance-api-node's `futuresBook` (`GET /fapi/v1/depth`, on the account's httpFutures). */
      futuresBook?(p: Record<string, string | number>): Promise<RawDepth>;
    }) => Promise<T>,
  ): Promise<T>;
}

/** binance-api-node zips levels into `{ price, quantity }`; the REST API sends `[price, qty]`. */
export function toSnapshot(symbol: string, time: number, raw: RawDepth): BookSnapshot {
  const level = (l: RawLevel): readonly [string, string] =>
    Array.isArray(l) ? [l[0], l[1]] : [(l as { price: string }).price, (l as { quantity: string }).quantity];
  return { symbol, time, bids: raw.bids.map(level), asks: raw.asks.map(level) };
}

/** The symbol and analysis settings of a `bookSummary` request (the seed's values by default). */
export function parseBookSummaryInput(input: unknown): {
  readonly symbol: string;
  readonly cfg: BookAnalysisConfig;
  readonly market: 'spot' | 'futures';
} {
  const parsed = bookSummaryInput.safeParse(input);
  if (!parsed.success)
    throw new InvalidRequest(
      `bookSummary input: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const { symbol, market, ...cfg } = parsed.data;
  return { symbol, cfg, market: market ?? 'spot' };
}

export async function bookSummary(
  input: BookSummaryInput,
  account: DepthSource,
  now: () => number = Date.now,
): Promise<BookSummary> {
  const { symbol, cfg, market } = parseBookSummaryInput(input);
  const raw =
    market === 'futures'
      ? await account.call('futures depth', futuresDepthWeight(cfg.limit), (rest) => {
          if (!rest.futuresBook) throw new InvalidRequest('bookSummary: this account has no futures client');
          return rest.futuresBook({ symbol, limit: cfg.limit });
        })
      : await account.call('depth', depthWeight(cfg.limit), (rest) => rest.book({ symbol, limit: cfg.limit }));
  return summarizeBook(toSnapshot(symbol, now(), raw), cfg);
}

/** `dataHandlers.book`: the summary with the seed's settings for `{ kind: 'book', symbol, limit }`. */
export function createBookHandler(now: () => number = Date.now) {
  return async (request: DataRequest, account: DepthSource): Promise<Json> => {
    if (request.kind !== 'book') throw new InvalidRequest(`book handler got a "${request.kind}" request`);
    return (await bookSummary({ symbol: request.symbol, limit: request.limit }, account, now)) as unknown as Json;
  };
}

/** Handlers for `custom` requests by name; the worker's `dataHandlers.custom` dispatches to them. */
export const customHandlers = {
  bookSummary: (input: Json, account: DepthSource, now: () => number = Date.now): Promise<Json> =>
    bookSummary(input as unknown as BookSummaryInput, account, now) as unknown as Promise<Json>,
};
