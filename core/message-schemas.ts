/**
 * zod schemas of the market and order messages a bot receives (candles, order reports, price
 * triggers, book summaries): the workflow checks every signal with them, and any other entry point
 * (control API, tests) can reuse them. Sizes are bounded so a hostile payload can neither grow a
 * bot's state nor its log lines. Pure.
 */
import { z } from 'zod';
import { CANDLE_INTERVALS } from './market';
import { ORDER_STATUSES } from './orders';
import { kindOf, nonNegativeDecimal, positiveDecimal, text } from './schema';

/** Milliseconds since the epoch, as Binance sends them. */
export const epochMs = z
  .number({
    error: (iss) =>
      iss.input === undefined ? 'is required' : `must be a time in ms since 1970, not ${kindOf(iss.input)}`,
  })
  .int({ message: 'must be a whole number of ms' })
  .min(0, { message: 'must not be negative' })
  .max(8.64e15, { message: 'is beyond any date' });

/** Binance's symbol syntax, upper-case (the bot's own symbol is compared separately). */
export const symbolField = text('a symbol such as "BTCUSDT"').regex(/^[A-Z0-9]{2,20}$/, {
  message: 'must be a symbol in capitals, such as "BTCUSDT"',
});

/** Binance's client order id charset and length. */
export const clientOrderIdField = text('a client order id').regex(/^[.A-Z:/a-z0-9_-]{1,36}$/, {
  message: 'must be 1-36 characters of letters, digits and .:/_-',
});

export const candleSchema = z.object({
  symbol: symbolField,
  interval: z.enum(CANDLE_INTERVALS, { error: `must be one of ${CANDLE_INTERVALS.join(', ')}` }),
  openTime: epochMs,
  closeTime: epochMs,
  open: positiveDecimal,
  high: positiveDecimal,
  low: positiveDecimal,
  close: positiveDecimal,
  volume: nonNegativeDecimal,
  quoteVolume: nonNegativeDecimal.optional(),
});

export const fillSchema = z.object({
  tradeId: z.number({ error: 'must be a number' }).int().min(0).max(Number.MAX_SAFE_INTEGER),
  price: positiveDecimal,
  qty: positiveDecimal,
  quoteQty: nonNegativeDecimal,
  commission: nonNegativeDecimal,
  commissionAsset: text('an asset such as "BNB"').regex(/^[A-Za-z0-9]{1,20}$/, {
    message: 'must be an asset such as "BNB"',
  }),
  time: epochMs,
  isMaker: z.boolean({ error: 'must be true or false' }),
});

export const orderSnapshotSchema = z.object({
  clientOrderId: clientOrderIdField,
  symbol: symbolField,
  exchangeOrderId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  status: z.enum(
    ORDER_STATUSES.filter((s) => s !== 'SUBMITTING') as [
      Exclude<(typeof ORDER_STATUSES)[number], 'SUBMITTING'>,
      ...Exclude<(typeof ORDER_STATUSES)[number], 'SUBMITTING'>[],
    ],
    { error: `must be an exchange order status (${ORDER_STATUSES.filter((s) => s !== 'SUBMITTING').join(', ')})` },
  ),
  executedQty: nonNegativeDecimal,
  cumulativeQuoteQty: nonNegativeDecimal,
  updateTime: epochMs,
  fills: z.array(fillSchema).max(1_000, { message: 'at most 1,000 fills per report' }).optional(),
  reason: z.string().max(500).optional(),
});

export const triggerSchema = z.object({
  id: text('a watch id').min(1).max(64),
  price: positiveDecimal,
  time: epochMs,
});

const level = z.tuple([positiveDecimal, nonNegativeDecimal], {
  error: 'must be a [price, quantity] pair of decimal strings',
});

export const bookSchema = z.object({
  symbol: symbolField,
  time: epochMs,
  bids: z.array(level).max(5_000, { message: 'at most 5,000 levels' }),
  asks: z.array(level).max(5_000, { message: 'at most 5,000 levels' }),
});

export const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

/**
 * The `circuitBreaker` signal's payload (the worker's breaker snapshot, monitoring/breaker-relay.ts)
 * and the view a run carries over. Strict: it is shown as it is in the `state` query.
 */
export const circuitViewSchema = z
  .object({
    account: text('an account name').min(1).max(64),
    state: z.enum(CIRCUIT_STATES, { error: `must be ${CIRCUIT_STATES.join(', ')}` }),
    consecutiveFailures: z.number({ error: 'must be a count' }).int().min(0).max(1e9),
    openedAt: epochMs.nullable(),
    since: epochMs,
    lastError: z
      .string({ error: 'must be text or null' })
      .max(2_000, { message: 'at most 2,000 characters' })
      .nullable(),
    opens: z.number({ error: 'must be a count' }).int().min(0).max(1e9),
  })
  .strict();
