/**
 * zod schemas of the bot workflow's start input: the runtime options (bounded, so a typo cannot
 * make a bot continue-as-new in a loop or poll the exchange every millisecond) and the state a
 * previous run carries over (checked for the shape the kernel relies on, so `"carried":{"state":"x"}`
 * is refused instead of failing every workflow task). Re-exported by messages.ts: the client, the
 * control API and the workflow validate with the same schemas.
 */
import { z } from 'zod';
import { CANDLE_INTERVALS } from './market';
import { NOTICE_KINDS } from './notices';
import { BOT_STATUSES, STOP_POLICIES } from './kernel';
import { ORDER_SIDES, ORDER_STATUSES, ORDER_TYPES } from './orders';
import { candleSchema, bookSchema, circuitViewSchema, orderSnapshotSchema, triggerSchema } from './message-schemas';
import { decimalString, kindOf } from './schema';

const DAY_MS = 86_400_000;

const wholeMs = (min: number, max: number, what: string) =>
  z
    .number({ error: (iss) => `must be ${what} in ms, not ${kindOf(iss.input)}` })
    .int({ message: 'must be a whole number of ms' })
    .min(min, { message: `must be at least ${min} ms` })
    .max(max, { message: `must be at most ${max} ms` });

/** A Temporal duration as our options write it: "500ms", "8s", "1.5s", "2m". */
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)$/;

export function durationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1_000 : 60_000);
}

export const reconcileTimingSchema = z
  .object({
    openOrdersEveryMs: wholeMs(1_000, DAY_MS, 'a period'),
    staleEveryMs: wholeMs(1_000, DAY_MS, 'a period'),
    staleAfterMs: wholeMs(1_000, DAY_MS, 'a duration'),
    idleEveryMs: wholeMs(1_000, DAY_MS, 'a period'),
    verifyAfterMs: wholeMs(500, DAY_MS, 'a delay'),
  })
  .partial()
  .strict();

/** Knobs of the runtime itself (not of the strategy), with bounds that keep a bot sane. */
export const runtimeOptionsSchema = z
  .object({
    /**
     * Continue-as-new after this many processed events even if Temporal does not suggest it yet.
     * At least 5. A reconciliation's snapshots are not counted (workflows/continue-as-new.ts), so a
     * run's own start never rolls it over, however many orders it holds.
     */
    continueAsNewAfterEvents: z
      .number()
      .int()
      .min(5, { message: 'must be at least 5 (a smaller value rolls the bot over in a loop)' })
      .max(1_000_000)
      .optional(),
    /**
     * Continue-as-new once the run's history holds this many events (default 1,000). A run's own
     * start writes about 20 events, Temporal terminates a run at 51,200.
     */
    continueAsNewAtHistoryLength: z
      .number()
      .int()
      .min(50, { message: 'must be at least 50 (a new run writes about 20 events before it does anything)' })
      .max(40_000, { message: 'must be at most 40,000 (Temporal terminates a run at 51,200 events)' })
      .optional(),
    reconcile: reconcileTimingSchema.optional(),
    /**
     * Timeout of one exchange-activity attempt (e.g. '8s'; default 30 s for orders): after a worker
     * dies mid-attempt, another worker retries the attempt this much later.
     */
    attemptTimeout: z
      .string({ error: 'must be a duration such as "8s"' })
      .refine((v) => {
        const ms = durationMs(v);
        return ms !== null && ms >= 1_000 && ms <= 600_000;
      }, 'must be a duration from "1s" to "10m", such as "8s" or "1500ms"')
      .optional(),
    /**
     * How far a candle's close may lie ahead of the bot's clock (default 60 s of clock skew). The
     * paper exchange's manual mode closes candles ahead of the wall clock; its tests raise this.
     */
    maxCandleLeadMs: wholeMs(0, 366 * DAY_MS, 'a duration').optional(),
    /** How often a bot that cannot trade (BLOCKED) checks again whether it can (default 5 min). */
    blockedRecheckMs: wholeMs(5_000, DAY_MS, 'a period').optional(),
  })
  .strict();

/** The options type is the schema's: adding an option means giving it bounds. */
export type RuntimeOptions = z.output<typeof runtimeOptionsSchema>;

const json = z.unknown();
const dec = decimalString;
const nullableDec = dec.nullable();
const time = z.number().finite();

const orderRecordSchema = z
  .object({
    clientOrderId: z.string(),
    tag: z.string(),
    request: z.object({ symbol: z.string(), side: z.enum(ORDER_SIDES), type: z.enum(ORDER_TYPES) }).loose(),
    purpose: z.enum(['entry', 'exit']),
    status: z.enum(ORDER_STATUSES),
    executedQty: dec,
    cumulativeQuoteQty: dec,
    fills: z.array(
      z
        .object({
          tradeId: z.number(),
          price: dec,
          qty: dec,
          quoteQty: dec,
          commission: dec,
          commissionAsset: z.string(),
          time,
        })
        .loose(),
    ),
    cancelRequested: z.boolean(),
    createdAt: time,
    updatedAt: time,
  })
  .loose();

const positionSchema = z
  .object({ qty: dec, avgEntryPrice: dec, realizedPnl: dec, cost: dec, fees: z.record(z.string(), dec) })
  .loose();

/**
 * The kernel state's shape, as far as the runtime reads it without further checks. Loose: fields
 * this list does not name (added by later versions) are kept as they are.
 */
export const carriedBotStateSchema = z
  .object({
    schema: z.literal(1),
    setup: z
      .object({
        name: z.string(),
        strategy: z.string(),
        symbol: z.string(),
        interval: z.enum(CANDLE_INTERVALS),
        account: z.string(),
        params: z.record(z.string(), json),
        onStop: z.enum(STOP_POLICIES),
        risk: z.record(z.string(), json),
      })
      .loose(),
    status: z.enum(BOT_STATUSES),
    clientIdTag: z.string().min(1),
    nextOrderSeq: z.number().int().min(1),
    orders: z.record(z.string(), orderRecordSchema),
    position: positionSchema,
    strategy: json,
    risk: json,
    timers: z.record(z.string(), time),
    watches: z.record(z.string(), z.object({ direction: z.enum(['above', 'below']), price: dec }).loose()),
    pendingRequests: z.record(z.string(), z.object({ kind: z.string() }).loose()),
    filters: z
      .object({ symbol: z.string(), tickSize: dec, stepSize: dec, minQty: dec, minNotional: dec })
      .loose()
      .nullable(),
    balances: z.object({ base: dec, quote: dec }).loose().nullable(),
    lastPrice: nullableDec,
    lastCandleOpenTime: time.nullable(),
    gap: z
      .object({ requestId: z.string(), held: z.array(candleSchema) })
      .loose()
      .nullable(),
    lastEventTime: time.nullable(),
    lastStreamEventTime: time.nullable(),
    nextReconcileAt: time.nullable(),
    reconcileInFlight: z.boolean(),
    openTrade: z.object({ openedAt: time, realizedAtOpen: dec, entryQty: dec, entryCost: dec }).loose().nullable(),
    trades: z.array(json),
    stats: z
      .object({
        ordersPlaced: z.number(),
        ordersRejected: z.number(),
        fills: z.number(),
        roundTrips: z.number(),
        wins: z.number(),
      })
      .loose(),
    notifications: z.array(z.object({ time, level: z.enum(['info', 'warn', 'error']), message: z.string() }).loose()),
    orphanOrders: z.array(z.string()),
    stopReason: z.string().nullable(),
    eventsProcessed: z.number().int().min(0),
    timing: z.object({ openOrdersEveryMs: time, staleEveryMs: time, staleAfterMs: time, idleEveryMs: time }).loose(),
  })
  .loose();

/** The inbox item types the workflow knows how to process (kept exhaustive by a type check in messages.ts). */
export const INBOX_ITEM_TYPES = [
  'candle',
  'orderUpdate',
  'trigger',
  'book',
  'pause',
  'resume',
  'params',
  'runNow',
  'streamReconnected',
] as const;

const pauseItemSchema = z.object({ type: z.literal('pause') });
const resumeItemSchema = z.object({ type: z.literal('resume') });

export const inboxItemSchema = z.discriminatedUnion('type', [
  // `replayed`: delivered again by a Temporal reset (workflows/run-context.ts); kept across continue-as-new.
  z.object({ type: z.literal('candle'), candle: candleSchema, replayed: z.literal(true).optional() }),
  z.object({
    type: z.literal('orderUpdate'),
    snapshot: orderSnapshotSchema,
    source: z.enum(['stream', 'reconcile', 'cancel']),
  }),
  triggerSchema.extend({ type: z.literal('trigger'), replayed: z.literal(true).optional() }),
  z.object({ type: z.literal('book'), book: bookSchema }),
  pauseItemSchema,
  resumeItemSchema,
  z.object({ type: z.literal('params'), params: z.record(z.string(), json), updateSeq: z.number().int().min(0) }),
  z.object({ type: z.literal('runNow'), updateSeq: z.number().int().min(0) }),
  z.object({ type: z.literal('streamReconnected') }),
]);

/** What a run still BLOCKED at its start hands the next (workflows/messages.ts HeldWhileBlocked). */
export const heldWhileBlockedSchema = z
  .object({
    inbox: z.array(z.discriminatedUnion('type', [pauseItemSchema, resumeItemSchema])).max(1_000),
  })
  .strict();

/** A notice the previous run held for this one (core/notices.ts). */
const noticeSchema = z
  .object({
    id: z.string().min(1).max(300),
    kind: z.enum(NOTICE_KINDS),
    bot: z.string().max(200),
    time: z.number().int().min(0),
    text: z.string().max(20_000),
  })
  .strict();

export const carriedStateSchema = z
  .object({
    state: carriedBotStateSchema,
    inbox: z.array(inboxItemSchema).max(10_000),
    generation: z.number().int().min(1),
    paramsUpdatesApplied: z.number().int().min(0),
    circuit: circuitViewSchema.nullable().optional(),
    notices: z.array(noticeSchema).max(1_000).optional(),
  })
  .loose();
