/**
 * The strategy kit (core/strategy-kit) on its own: order keys, the hook router, the declared
 * warm-up and indicators, order and sizing helpers, and the sub-machines (slots, round trip,
 * embed), driven with hand-made events and contexts; the warm-up once more through the real
 * kernel. Plus the kit's own rules: pure modules (no Node, Temporal, clock or randomness), small files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseKlines } from '../../backtest/data';
import { runBacktest } from '../../backtest/engine';
import { type RsiState, nextRsi, rsi } from '../../core/indicators/rsi';
import type { Candle } from '../../core/market';
import type { OrderRecord, OrderStatus } from '../../core/orders';
import type { Decision, Intent, StrategyContext, StrategyEvent } from '../../core/strategy';
import { rsiSniper } from '../../core/strategies/rsi-sniper';
import * as kit from '../../core/strategy-kit';
import { BTC_FILTERS, createBot, feed, fetches, start, strategyState } from '../support/seed-harness';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function ctxOf<P>(params: P, over: Partial<StrategyContext<P>> = {}): StrategyContext<P> {
  return {
    now: T0,
    botName: 'kit',
    symbol: 'BTCUSDT',
    interval: '1h',
    params,
    paused: false,
    filters: BTC_FILTERS,
    position: { qty: '0', avgEntryPrice: '0', realizedPnl: '0' },
    positions: {},
    openOrders: [],
    balances: { base: '0', quote: '1000' },
    lastPrice: null,
    ...over,
  };
}

function candleAt(i: number, close: number | string, volume = '10'): Candle {
  const c = String(close);
  return {
    symbol: 'BTCUSDT',
    interval: '1h',
    openTime: T0 + i * HOUR,
    closeTime: T0 + (i + 1) * HOUR - 1,
    open: c,
    high: c,
    low: c,
    close: c,
    volume,
  };
}

function order(tag: string, status: OrderStatus, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: `id-${tag}`,
    tag,
    request: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1' },
    purpose: 'entry',
    status,
    executedQty: '0',
    cumulativeQuoteQty: '0',
    fills: [],
    cancelRequested: false,
    ...over,
  } as OrderRecord;
}

const orderEvent = (o: OrderRecord, previousStatus: OrderStatus = 'NEW'): StrategyEvent => ({
  type: 'order',
  order: o,
  previousStatus,
  fills: o.fills,
});

describe('order keys', () => {
  it('derive the tags strategies always wrote, and read back only their own', () => {
    const entry = kit.single('entry');
    const exit = kit.numbered('exit');
    const cell = kit.numbered('g', '');
    expect([entry.key.tag, exit.key(4).tag, cell.key(12).tag]).toEqual(['entry', 'exit-4', 'g12']);
    expect(exit.match('exit-4')).toEqual({ family: 'exit', n: 4, tag: 'exit-4' });
    expect(cell.match('g12')?.n).toBe(12);
    // Not canonical numbers, other families, the bare name: not theirs.
    for (const tag of ['exit-04', 'exit-', 'exit-1x', 'exit-4-1', 'exit', 'exits-1', 'close'])
      expect(exit.match(tag)).toBeNull();
    expect(entry.match('entry-1')).toBeNull();
    expect(kit.keyOf([entry, exit], 'exit-2')?.key).toEqual({ family: 'exit', n: 2, tag: 'exit-2' });
    expect(kit.keyOf([entry, exit], 'close')).toBeNull();
  });

  it('refuse bad names and families that would claim the same tag', () => {
    expect(() => kit.single('a b')).toThrow(/letters, digits or _/);
    expect(() => kit.numbered('g').key(-1)).toThrow(/non-negative integer/);
    expect(() => kit.checkFamilies([kit.numbered('g', ''), kit.single('g1')])).toThrow(/both claim the tag "g1"/);
    expect(() => kit.checkFamilies([kit.single('entry'), kit.single('entry')])).toThrow(/declared twice/);
    expect(() => kit.checkFamilies([kit.single('entry'), kit.numbered('entry'), kit.numbered('g', '')])).not.toThrow();
  });
});

// ---- the router -----------------------------------------------------------------------------------

interface Trace {
  readonly seen: readonly string[];
  readonly done: boolean;
}
const note = (s: Trace, what: string): Decision<Trace> => ({ state: { ...s, seen: [...s.seen, what] } });

const traced = kit.defineKitStrategy<{ limit: number }, Trace>({
  id: 'trace',
  title: 'trace',
  description: 'records which hook saw each event',
  params: z.object({ limit: z.number().int().default(3) }).strict(),
  init: () => ({ seen: [], done: false }),
  idle: (s) => s.done,
  orders: [
    {
      family: kit.single('entry'),
      onOrderFilled: (s) => note(s, 'entry filled'),
      onOrderFinal: (s, o, _c, hit) => note(s, `entry final ${o.status} first=${hit.becameFinal}`),
    },
    {
      family: kit.numbered('tp'),
      onOrderUpdate: (s, o, _c, hit) => note(s, `tp-${hit.key!.n} update ${o.status}`),
      onOrderCanceled: (s, _o, _c, hit) => note(s, `tp-${hit.key!.n} canceled`),
    },
  ],
  onOrderRejected: (s, o) => note(s, `other rejected ${o.tag}`),
  onCandle: (s, c) => note(s, `candle ${c.close}`),
  onTimer: (s, id) => note(s, `timer ${id}`),
  onTrigger: (s, t) => note(s, `trigger ${t.id} ${t.price}`),
  onData: (s, a) => note(s, `data ${a.requestId}`),
  onParams: (s, previous) => note(s, `params from ${JSON.stringify(previous)}`),
  onStop: (s) => ({ state: { ...s, done: true, seen: [...s.seen, 'stop'] } }),
});

describe('defineKitStrategy: one hook per event', () => {
  const ctx = ctxOf({ limit: 3 });
  const run = (events: StrategyEvent[]): Trace =>
    events.reduce((s, e) => traced.onEvent(s, e, ctx).state, traced.init(ctx));

  it('routes each event to its hook, and order reports by family and status', () => {
    const s = run([
      { type: 'candle', candle: candleAt(0, 100) },
      orderEvent(order('entry', 'FILLED', { executedQty: '1', cumulativeQuoteQty: '100' })),
      orderEvent(order('entry', 'CANCELED', { executedQty: '0.5' }), 'CANCELED'),
      orderEvent(order('tp-2', 'PARTIALLY_FILLED')),
      orderEvent(order('tp-2', 'EXPIRED')),
      orderEvent(order('tp-3', 'FILLED')), // no hook for it: ignored
      orderEvent(order('close', 'REJECTED')),
      { type: 'timer', id: 'daily' },
      { type: 'trigger', id: 'w', price: '101', time: T0 },
      { type: 'data', requestId: 'r1', kind: 'custom', result: 1 },
      { type: 'params', previous: { limit: 2 } },
      { type: 'params', previous: { limit: 'x' } },
      { type: 'stop' },
      { type: 'candle', candle: candleAt(1, 101) }, // idle after stop
    ]);
    expect(s.seen).toEqual([
      'candle 100',
      'entry filled',
      'entry final CANCELED first=false',
      'tp-2 update PARTIALLY_FILLED',
      'tp-2 canceled',
      'other rejected close',
      'timer daily',
      'trigger w 101',
      'data r1',
      'params from {"limit":2}',
      'params from null',
      'stop',
    ]);
  });

  it('keeps the contract: the result is a plain Strategy, its state JSON', () => {
    expect(Object.keys(traced).sort()).toEqual(['description', 'id', 'init', 'onEvent', 'params', 'title']);
    const s = run([{ type: 'candle', candle: candleAt(0, 100) }]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('offers every event to the embedded sub-machines first; a null answer passes it on', () => {
    interface S {
      readonly sub: { readonly hits: number } | null;
      readonly after: number;
      readonly candles: number;
    }
    const sub: kit.SubMachine<{ readonly hits: number }> = (m, e) =>
      e.type === 'timer' ? { state: { hits: m.hits + 1 }, intents: [kit.notify('sub')] } : null;
    const st = kit.defineKitStrategy<null, S>({
      id: 'embed',
      title: 'embed',
      description: 'embed',
      params: z.null(),
      init: () => ({ sub: { hits: 0 }, after: 0, candles: 0 }),
      machines: [kit.embed('sub', sub, (s, intents) => ({ state: { ...s, after: s.after + 1 }, intents }))],
      onTimer: () => {
        throw new Error('the machine handles timers');
      },
      onCandle: (s) => ({ state: { ...s, candles: s.candles + 1 } }),
    });
    const c = ctxOf(null);
    const a = st.onEvent(st.init(c), { type: 'timer', id: 't' }, c);
    expect(a).toEqual({
      state: { sub: { hits: 1 }, after: 1, candles: 0 },
      intents: [{ kind: 'notify', message: 'sub' }],
    });
    expect(st.onEvent(a.state, { type: 'candle', candle: candleAt(0, 1) }, c).state.candles).toBe(1);
    // Without the machine's state the event goes to the hooks.
    expect(() => st.onEvent({ sub: null, after: 0, candles: 0 }, { type: 'timer', id: 't' }, c)).toThrow(
      /handles timers/,
    );
  });
});

// ---- warm-up and indicators -------------------------------------------------------------------------

interface Warm extends kit.WarmupFields, kit.Journaled {
  readonly rsi: RsiState;
  readonly history: readonly number[];
  readonly live: readonly number[];
}

const warming = kit.defineKitStrategy<{ warmup: number }, Warm>({
  id: 'warming',
  title: 'warming',
  description: 'a declared warm-up and RSI',
  params: z.object({ warmup: z.number().int().default(20) }).strict(),
  init: () => ({ rsi: rsi(3), history: [], live: [], decisions: [] }),
  warmup: {
    candles: (p) => p.warmup,
    requestId: 'hist',
    holdCandles: 3,
    label: 'RSI',
    facts: (s) => ({ rsi: s.rsi.value ?? -1 }),
  },
  indicators: { rsi: kit.feeds.rsi },
  onHistory: (s, c) => ({ ...s, history: [...s.history, Number(c.close)] }),
  onCandle: (s, c) => ({ state: { ...s, live: [...s.live, Number(c.close)] } }),
});

describe('declared warm-up', () => {
  const ctx = ctxOf({ warmup: 20 });
  const closes = [100, 101, 103, 102, 104, 106, 105];
  const expectedRsi = (xs: number[]) => xs.reduce((s, x) => nextRsi(s, x), rsi(3)).value;

  it('asks for the history at start, holds live candles meanwhile, then folds history and held candles once each, in order', () => {
    const started = warming.onEvent(warming.init(ctx), { type: 'start' }, ctx);
    expect(started.intents).toEqual([
      {
        kind: 'request',
        requestId: 'hist',
        request: { kind: 'candles', symbol: 'BTCUSDT', interval: '1h', limit: 20 },
      },
    ]);
    let s = started.state;
    s = warming.onEvent(s, { type: 'candle', candle: candleAt(5, 106) }, ctx).state;
    expect(s.held).toHaveLength(1);
    // The answer overlaps the held candle (5), and carries one malformed row.
    const history = [...closes.slice(0, 6).map((c, i) => candleAt(i, c)), { bogus: true }];
    const warmed = warming.onEvent(
      s,
      { type: 'data', requestId: 'hist', kind: 'candles', result: history as never },
      ctx,
    );
    s = warmed.state;
    expect(s.warm).toBe(true);
    expect(s.held).toEqual([]);
    expect(s.history).toEqual(closes.slice(0, 6));
    expect(s.rsi.value).toBe(expectedRsi(closes.slice(0, 6)));
    expect(s.decisions.at(-1)).toMatchObject({
      action: 'warm',
      reason: 'RSI warmed on 7 closed candles',
      facts: { rsi: s.rsi.value! },
    });
    expect(warmed.intents).toEqual([]);
    // A live candle the history already had is not counted twice; the next one is.
    s = warming.onEvent(s, { type: 'candle', candle: candleAt(5, 106) }, ctx).state;
    s = warming.onEvent(s, { type: 'candle', candle: candleAt(6, 105) }, ctx).state;
    expect(s.live).toEqual([105]);
    expect(s.rsi.value).toBe(expectedRsi(closes));
    // A second answer changes nothing.
    expect(warming.onEvent(s, { type: 'data', requestId: 'hist', kind: 'candles', result: [] }, ctx).state).toBe(s);
  });

  it('an answer that never comes: after holdCandles candles it warms on the live ones, and says so', () => {
    let s = warming.onEvent(warming.init(ctx), { type: 'start' }, ctx).state;
    s = warming.onEvent(s, { type: 'candle', candle: candleAt(0, 100) }, ctx).state;
    s = warming.onEvent(s, { type: 'candle', candle: candleAt(1, 101) }, ctx).state;
    const third = warming.onEvent(s, { type: 'candle', candle: candleAt(2, 103) }, ctx);
    expect(third.state).toMatchObject({ warm: true, held: [], history: [100, 101, 103], live: [] });
    expect(third.state.decisions.at(-1)!.reason).toBe('no warm-up answer after 3 candles: warming on live candles');
    expect(third.intents).toEqual([
      { kind: 'notify', level: 'warn', message: 'RSI warm-up never answered; warming on live candles' },
    ]);
  });

  it('a failed request warms on the held candles and warns', () => {
    const s = warming.onEvent(warming.init(ctx), { type: 'candle', candle: candleAt(0, 100) }, ctx).state;
    const r = warming.onEvent(
      s,
      { type: 'data', requestId: 'hist', kind: 'candles', result: { error: 'timeout' } },
      ctx,
    );
    expect(r.state.history).toEqual([100]);
    expect(r.intents).toEqual([
      { kind: 'notify', level: 'warn', message: 'RSI warm-up failed; deciding once enough live candles have closed' },
    ]);
  });

  it('through the kernel: the request is fetched at start and the answer warms the strategy', () => {
    const bot = createBot(warming, { warmup: 6 }, { interval: '1h', now: T0 + 10 * HOUR });
    const req = fetches(start(bot, T0 + 10 * HOUR))[0]!;
    expect(req).toMatchObject({
      requestId: 'hist',
      request: { kind: 'candles', symbol: 'BTCUSDT', interval: '1h', limit: 6 },
    });
    feed(bot, {
      type: 'data',
      now: T0 + 10 * HOUR,
      requestId: 'hist',
      result: closes.slice(0, 6).map((c, i) => candleAt(i, c)) as never,
    });
    expect(strategyState<Warm>(bot)).toMatchObject({ warm: true, history: closes.slice(0, 6) });
  });

  it('indicators declared with a null state are left alone', () => {
    const s = kit.updateIndicators(
      { a: rsi(2), b: null as RsiState | null },
      { a: kit.feeds.rsi, b: kit.feeds.rsi },
      candleAt(0, 5),
    );
    expect(s.a.previous).toBe(5);
    expect(s.b).toBeNull();
  });
});

// ---- order and sizing helpers -------------------------------------------------------------------------

describe('order helpers', () => {
  const ctx = ctxOf(null);
  const key = kit.numbered('buy').key(2);

  it('build intents with the key as tag and no undefined fields', () => {
    expect(kit.limit(key, 'BUY', '99', '1', { purpose: 'entry', reason: 'r' })).toEqual({
      kind: 'place',
      tag: 'buy-2',
      side: 'BUY',
      type: 'LIMIT',
      price: '99',
      quantity: '1',
      purpose: 'entry',
      reason: 'r',
    });
    expect(Object.keys(kit.market(key, 'SELL', '1', { purpose: 'exit', reason: 'r', facts: { a: 1 } }))).toEqual([
      'kind',
      'tag',
      'side',
      'type',
      'quantity',
      'purpose',
      'reason',
      'facts',
    ]);
    expect(kit.cancel(key)).toEqual({ kind: 'cancel', tag: 'buy-2' });
  });

  it('find working orders by key, and expire one after its candles', () => {
    const c = ctxOf(null, { openOrders: [order('buy-2', 'NEW'), order('buy-3', 'NEW', { cancelRequested: true })] });
    expect(kit.working(c, key)).toHaveLength(1);
    expect(kit.workingKeys(c).has(kit.numbered('buy').key(3))).toBe(true);
    expect(kit.expire(c, key, { candles: 2, limitCandles: 3 }, 'late')).toEqual([]);
    expect(kit.expire(c, key, { candles: 3, limitCandles: 3 }, 'late')).toEqual([
      { kind: 'cancel', tag: 'buy-2' },
      { kind: 'notify', message: 'late' },
    ]);
    expect(kit.expire(c, kit.numbered('buy').key(3), { candles: 9, limitCandles: 3 }, 'late')).toEqual([]); // cancel already asked
  });

  it('read what an order executed: a buy net of fees paid in base, the average price, the unit cost', () => {
    const fill = {
      tradeId: 1,
      price: '100',
      qty: '2',
      quoteQty: '200',
      commission: '0.002',
      commissionAsset: 'BTC',
      time: T0,
      isMaker: false,
    };
    const bought = order('buy-2', 'FILLED', { executedQty: '2', cumulativeQuoteQty: '200', fills: [fill] });
    expect(kit.executed(bought, ctx)).toEqual({ qty: '1.998', price: '100', unitCost: '100.1001001' });
    const sold = order('x', 'CANCELED', {
      request: { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '2', price: '110' },
      executedQty: '0.5',
      cumulativeQuoteQty: '55',
    });
    expect(kit.executed(sold, ctx)).toMatchObject({ qty: '0.5', price: '110' });
    const refused = order('buy-3', 'REJECTED', { rejectReason: '-2010: insufficient balance' });
    expect([kit.filledAny(refused), kit.failure(refused)]).toEqual([false, 'REJECTED: -2010: insufficient balance']);
    expect(kit.executed(refused, ctx)).toEqual({ qty: '0', price: null, unitCost: null });
  });

  it('say why the exchange would refuse a quantity', () => {
    expect(kit.tooSmall('0.000005', '100', BTC_FILTERS)).toBe('quantity 0.000005 below the minimum 0.00001');
    expect(kit.tooSmall('0.01', '100', BTC_FILTERS)).toBe('order value 1 below the minimum notional 5');
    expect(kit.tooSmall('0.1', '100', BTC_FILTERS)).toBeNull();
    expect(kit.tooSmall('0', '100', null)).toBe('quantity rounds to 0');
    expect(kit.floorQty('1.234567', BTC_FILTERS)).toBe('1.23456');
  });

  it('size entries from the context: the risk layer, all-in, futures margin', () => {
    expect(kit.size(ctx, { mode: 'quote', amount: '500' }, { price: '100', market: true })).toMatchObject({
      ok: true,
      quantity: '5',
    });
    expect(kit.marketBuy(ctx, 'max', '100')).toEqual({
      ok: true,
      order: { side: 'BUY', type: 'MARKET', quoteOrderQty: '1000' },
      facts: { freeQuote: '1000' },
    });
    expect(kit.marketBuy(ctxOf(null, { balances: null }), 'max', '100')).toEqual({
      ok: false,
      reason: 'the free quote balance is unknown or zero',
    });
    expect(kit.marketBuy(ctx, { mode: 'quote', amount: '5000' }, '100')).toEqual({
      ok: false,
      reason: 'sizing refused: insufficient balance: the entry needs 5000 quote, 1000 is free',
    });
    // 1000 / (100 × (1/10 + 0.0005)) = 99.50248756..., floored to the 0.00001 step.
    expect(kit.marginSize(ctx, '100', 10, '0.0005')).toEqual({ ok: true, quantity: '99.50248', margin: '1000' });
  });

  it('plan an entry at market or with a limit, and read its result', () => {
    const market = kit.planEntry(
      kit.single('entry').key,
      { entry: { type: 'market' }, sizing: { mode: 'base', quantity: '1' } },
      ctx,
      {
        close: '100',
        atr: null,
      },
    );
    expect(market).toMatchObject({
      ok: true,
      intent: {
        tag: 'entry',
        type: 'MARKET',
        quantity: '1',
        reason: 'market entry: fixed quantity 1',
        facts: { close: '100' },
      },
    });
    const waiting = kit.planEntry(
      kit.single('entry').key,
      { entry: { type: 'market' }, sizing: { mode: 'atr', risk: '10', multiplier: '2', period: 14 } },
      ctx,
      { close: '100', atr: null },
    );
    expect(waiting).toMatchObject({ ok: false, wait: true });
    expect(
      kit.expireEntry(
        ctxOf(null, { openOrders: [order('entry', 'NEW')] }),
        kit.single('entry').key,
        { type: 'limit', price: '99', timeoutCandles: 2 },
        2,
      ),
    ).toHaveLength(2);
    expect(kit.entryResult(order('entry', 'EXPIRED'), ctx)).toEqual({ ok: false, why: 'entry expired without a fill' });
  });
});

describe('rules', () => {
  it('orderedPairs names the field of an empty range', () => {
    const schema = z.object({ lo: z.number(), hi: z.number() }).superRefine(kit.orderedPairs([['lo', 'hi', 'strict']]));
    expect(schema.safeParse({ lo: 2, hi: 2 }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'lo: 2 must be below hi (2): the range is empty',
    ]);
    expect(schema.safeParse({ lo: 1, hi: 2 }).success).toBe(true);
  });

  it('issues reports each failed cross-field rule at its field, in order', () => {
    const schema = z.object({ lo: z.number(), hi: z.number() }).superRefine(
      kit.issues((v) => [
        [v.lo >= v.hi, 'hi', 'must be above lo'],
        [v.lo < 0, 'lo', 'must not be negative'],
      ]),
    );
    expect(schema.safeParse({ lo: -1, hi: -2 }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'hi: must be above lo',
      'lo: must not be negative',
    ]);
  });

  it('price levels: arithmetic and geometric on the tick, and why a ladder of orders would be refused', () => {
    expect(kit.priceLevels('90', '110', 5, 'arithmetic', BTC_FILTERS)).toEqual(['90', '95', '100', '105', '110']);
    expect(kit.priceLevels('100', '400', 3, 'geometric', null)).toEqual(['100', '200', '400']);
    expect(kit.ladderProblem(['1', '1', '1.01'], () => '10', BTC_FILTERS)).toBe(
      'levels 1 and 1 collapse at the tick size: use fewer levels',
    );
    expect(kit.ladderProblem(['90', '95', '100'], () => '0.05', BTC_FILTERS)).toBe(
      'order at 90 too small: order value 4.5 below the minimum notional 5',
    );
    expect(kit.ladderProblem(['90', '95', '100'], () => '1', BTC_FILTERS)).toBeNull();
  });

  it('compares ratios exactly without dividing, and keeps every condition of a check', () => {
    const r = kit.ratio('180', '100');
    expect([r.cmp('1.8'), r.cmp('1.79'), r.shown]).toEqual([0, 1, '1.8']);
    expect(kit.ratio('1', '0')).toMatchObject({ positive: false, shown: 'n/a' });
    const c = kit.check([
      { rule: 'a', ok: true },
      { rule: 'b', ok: false },
    ]);
    expect([c.ok, kit.failedRules(c)]).toEqual([false, ['b']]);
    expect(kit.movePct('100', '99.3')).toBe('-0.7');
  });
});

// ---- sub-machines -------------------------------------------------------------------------------------

interface Cell extends kit.Slot {
  readonly want: 'buy' | 'none';
}
interface Cells {
  readonly cells: readonly Cell[];
  readonly n: number;
}
const SLOT = kit.numbered('s');
const slots = kit.slots<null, Cells, Cell>({
  family: SLOT,
  field: 'cells',
  counter: 'n',
  retryCandles: 2,
  label: 'test',
  orderOf: (_s, i, c) =>
    c.want === 'buy' ? kit.limit(SLOT.key(i), 'BUY', '100', '1', { purpose: 'entry', reason: `slot ${i}` }) : null,
  settle: (_s, _i, _c, o) =>
    o.status === 'FILLED' ? { slot: { want: 'none' }, retry: false } : { slot: { want: 'buy' }, retry: true },
  wake: (_s, i, c) => (c.want === 'none' && i === 1 ? { want: 'buy' } : null),
});

describe('slots', () => {
  const ctx = ctxOf(null);
  const place = (i: number): Intent =>
    kit.limit(SLOT.key(i), 'BUY', '100', '1', { purpose: 'entry', reason: `slot ${i}` });

  it('place on put, wait after a refusal (telling why), place again once due and not paused, wake the idle', () => {
    const s0: Cells = {
      cells: [
        { want: 'none', retryAt: null },
        { want: 'none', retryAt: 9 },
      ],
      n: 0,
    };
    const put = slots.put(s0, [[0, { want: 'buy' }]]);
    expect(put.intents).toEqual([place(0)]);
    const refused = slots.onFinal(put.state, order('s-0', 'REJECTED', { rejectReason: 'no funds' }), 0, ctx);
    expect(refused.state.cells[0]).toEqual({ want: 'buy', retryAt: 2 });
    expect(refused.intents).toEqual([
      { kind: 'notify', level: 'warn', message: 'test s-0 BUY refused (no funds); retrying in 2 candles' },
    ]);
    // Candle 1: slot 0 not due; slot 1 waits for its own retry (9), so it is not woken either.
    expect(slots.onCandle({ ...refused.state, n: 1 }, candleAt(0, 100), ctx).intents).toBeUndefined();
    // Candle 2 while paused: the retry waits; not paused: placed again.
    expect(
      slots.onCandle({ ...refused.state, n: 2 }, candleAt(0, 100), ctxOf(null, { paused: true })).intents,
    ).toBeUndefined();
    const due = slots.onCandle({ ...refused.state, n: 2 }, candleAt(0, 100), ctx);
    expect(due.intents).toEqual([place(0)]);
    // Something still working for the slot: nothing placed.
    expect(
      slots.onCandle({ ...refused.state, n: 2 }, candleAt(0, 100), ctxOf(null, { openOrders: [order('s-0', 'NEW')] }))
        .intents,
    ).toBeUndefined();
    // A fill: the slot's next content has no order; an idle slot 1 with nothing pending wakes.
    const filled = slots.onFinal(due.state, order('s-0', 'FILLED'), 0, ctx);
    expect(filled).toEqual({
      state: {
        cells: [
          { want: 'none', retryAt: null },
          { want: 'none', retryAt: 9 },
        ],
        n: 2,
      },
      intents: [],
    });
    const woken = slots.onCandle(
      { ...filled.state, cells: [filled.state.cells[0]!, { want: 'none', retryAt: null }] },
      candleAt(0, 100),
      ctx,
    );
    expect(woken.intents).toEqual([place(1)]);
  });
});

interface Meta {
  readonly side: 'long' | 'short';
  readonly ref: string;
}
interface TripState extends kit.TripFields<Meta, { side: string }> {
  readonly undone: number;
}
const trip = kit.roundTrip<Meta, { side: string }>({
  entry: kit.numbered('in'),
  exit: kit.numbered('out'),
  label: (m) => m.side,
  isShort: (m) => m.side === 'short',
  reference: (m) => m.ref,
  tradeOf: (m) => ({ side: m.side }),
  sweepDust: true,
});

describe('round trip', () => {
  const s0: TripState = { position: null, seq: 0, trades: [], decisions: [], undone: 0 };
  const fillOf = (o: OrderRecord, price: string, qty: string, fee = '0', feeAsset = 'USDT'): OrderRecord => ({
    ...o,
    status: 'FILLED',
    executedQty: qty,
    cumulativeQuoteQty: String(Number(price) * Number(qty)),
    fills: [
      {
        tradeId: 1,
        price,
        qty,
        quoteQty: String(Number(price) * Number(qty)),
        commission: fee,
        commissionAsset: feeAsset,
        time: T0,
        isMaker: false,
      },
    ],
  });
  const asOrder = (i: Intent, status: OrderStatus = 'NEW'): OrderRecord => {
    const p = i as Extract<Intent, { kind: 'place' }>;
    return order(p.tag, status, {
      request: { symbol: 'BTCUSDT', side: p.side, type: p.type, quantity: p.quantity ?? '0' },
    });
  };

  it('a long: enter, fill (net of the base fee, on the step), exit with the whole holding, close with its trade', () => {
    const ctx = ctxOf(null);
    const entered = trip.enter(
      s0,
      { side: 'long', ref: '100' },
      { side: 'BUY', type: 'MARKET', quantity: '1' },
      { reason: 'signal', facts: { x: 1 } },
      ctx,
    );
    expect(entered.intents).toEqual([
      {
        kind: 'place',
        tag: 'in-1',
        side: 'BUY',
        type: 'MARKET',
        quantity: '1',
        purpose: 'entry',
        reason: 'signal',
        facts: { x: 1 },
      },
    ]);
    expect(entered.state.decisions.at(-1)).toMatchObject({ action: 'enter-long', reason: 'signal' });
    const opened = trip.onOrder(
      entered.state,
      fillOf(asOrder(entered.intents[0]!), '100', '1', '0.0010005', 'BTC'),
      ctx,
    )!;
    expect(opened.state.position).toMatchObject({ phase: 'open', qty: '0.99899', fillPrice: '100' });
    // Another order, or a report the trip does not wait for: not its business.
    expect(trip.onOrder(opened.state, fillOf(order('in-1', 'FILLED'), '100', '1'), ctx)).toBeNull();
    const exiting = trip.exit(
      opened.state,
      { reason: 'target', facts: {} },
      ctxOf(null, { position: { qty: '0.999', avgEntryPrice: '100', realizedPnl: '0' } }),
    );
    expect(exiting.intents).toEqual([
      {
        kind: 'place',
        tag: 'out-1',
        side: 'SELL',
        type: 'MARKET',
        quantity: '0.999',
        purpose: 'exit',
        reason: 'target',
        facts: {},
      },
    ]);
    const closed = trip.onOrder(exiting.state, fillOf(asOrder(exiting.intents![0]!), '110', '0.999'), {
      ...ctx,
      now: T0 + 5,
    })!;
    expect(closed.state.position).toBeNull();
    expect(closed.state.trades).toEqual([
      {
        side: 'long',
        qty: '0.999',
        entryPrice: '100',
        exitPrice: '110',
        pnl: '9.99',
        reason: 'target',
        openedAt: T0,
        closedAt: T0 + 5,
      },
    ]);
    expect(closed.state.decisions.at(-1)).toMatchObject({
      action: 'closed',
      reason: 'long closed at 110: target',
      facts: { pnl: '9.99' },
    });
  });

  it('a short earns when the price falls; failed orders undo the entry or reopen the position', () => {
    const ctx = ctxOf(null);
    const entered = trip.enter(
      s0,
      { side: 'short', ref: '100' },
      { side: 'SELL', type: 'MARKET', quantity: '2' },
      { reason: 'down', facts: {} },
      ctx,
    );
    const failed = trip.onOrder(
      { ...entered.state, undone: 0 },
      asOrder(entered.intents[0]!, 'REJECTED'),
      ctx,
      (s) => ({ ...s, undone: s.undone + 1 }),
    )!;
    expect(failed.state).toMatchObject({ position: null, undone: 1 });
    expect(failed.intents).toEqual([{ kind: 'notify', level: 'warn', message: 'short entry REJECTED: ' }]);
    const opened = trip.onOrder(entered.state, fillOf(asOrder(entered.intents[0]!), '100', '2'), ctx)!;
    const exiting = trip.exit(opened.state, { reason: 'cover', facts: {} }, ctx);
    expect(exiting.intents![0]).toMatchObject({ side: 'BUY', quantity: '2' });
    const refused = trip.onOrder(exiting.state, asOrder(exiting.intents![0]!, 'EXPIRED'), ctx)!;
    expect(refused.state.position).toMatchObject({ phase: 'open', exitReason: null });
    expect(refused.intents![0]).toMatchObject({
      level: 'error',
      message: 'short exit EXPIRED: ; retrying on the next candle',
    });
    const again = trip.exit(refused.state, { reason: 'cover', facts: {} }, ctx);
    const closed = trip.onOrder(again.state, fillOf(asOrder(again.intents![0]!), '90', '2'), ctx)!;
    expect(closed.state.trades[0]).toMatchObject({ pnl: '20', entryPrice: '100', exitPrice: '90' });
  });
});

describe('the tags of the strategies rewritten with the kit are those they always wrote', () => {
  it('rsi-sniper: entry-N then exit-N, one trip at a time', () => {
    const { candles } = parseKlines(
      readFileSync(path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv'), 'utf8'),
      { symbol: 'BTCUSDT' },
    );
    const r = runBacktest({ strategy: rsiSniper, params: { minVolume: '0' }, candles, balances: { USDT: '10000' } });
    const tags = r.orders.map((o) => o.tag);
    expect(tags.length).toBeGreaterThan(4);
    tags.forEach((tag, i) => expect(tag).toBe(`${i % 2 === 0 ? 'entry' : 'exit'}-${Math.floor(i / 2) + 1}`));
  });
});

// ---- the kit's own rules ------------------------------------------------------------------------------

describe('the kit is pure and small', () => {
  const dir = path.resolve(__dirname, '../../core/strategy-kit');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s: no Node, Temporal, clock or randomness; under 500 lines', (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    for (const spec of imports) expect(spec === 'zod' || spec.startsWith('.'), `${file} imports ${spec}`).toBe(true);
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bDate\b|Math\.random|performance\.|process\.|setTimeout|setInterval|require\(/);
    expect(text.split('\n').length).toBeLessThan(500);
  });
});
