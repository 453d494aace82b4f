import { describe, expect, it } from 'vitest';
import {
  type BotEvent,
  type BotSetup,
  type BotState,
  type Command,
  clientOrderIdFor,
  createBotState,
  nextWakeAt,
  step,
} from '../../core/kernel';
import type { OrderSnapshot } from '../../core/orders';
import { type Intent, type Strategy, defineStrategy } from '../../core/strategy';
import { z } from 'zod';
import { KERNEL_FILTERS as FILTERS, T0, candle } from '../support/kernel-fixtures';

/** A scripted strategy: each candle's close decides the intents through `script`. */
function scripted(
  script: (close: string, state: { n: number }) => Intent[],
  onOrder?: (tag: string, status: string) => Intent[],
): Strategy<Record<string, never>, { n: number; seen: string[] }> {
  return defineStrategy({
    id: 'scripted',
    title: 'test',
    description: 'test',
    params: z.object({}).strict(),
    init: () => ({ n: 0, seen: [] as string[] }),
    onEvent(state, event) {
      if (event.type === 'candle')
        return { state: { ...state, n: state.n + 1 }, intents: script(event.candle.close, state) };
      if (event.type === 'order')
        return {
          state: { ...state, seen: [...state.seen, `${event.order.tag}:${event.order.status}`] },
          intents: onOrder?.(event.order.tag, event.order.status) ?? [],
        };
      if (event.type === 'timer') return { state: { ...state, seen: [...state.seen, `timer:${event.id}`] } };
      return { state };
    },
  });
}

const setup = (onStop: BotSetup['onStop'] = 'cancel-orders'): BotSetup => ({
  name: 'test-bot',
  strategy: 'scripted',
  symbol: 'BTCUSDT',
  interval: '1m',
  account: 'paper',
  params: {},
  onStop,
  risk: {},
});

class Harness {
  state: BotState;
  commands: Command[] = [];
  constructor(
    readonly strategy: Strategy<any, any>,
    onStop: BotSetup['onStop'] = 'cancel-orders',
  ) {
    this.state = createBotState(setup(onStop), strategy, T0);
    this.send({ type: 'start', now: T0, filters: FILTERS, fresh: true });
  }
  send(event: BotEvent): Command[] {
    const r = step(this.state, event, this.strategy);
    this.state = r.state;
    this.commands.push(...r.commands);
    return [...r.commands];
  }
  places(): Extract<Command, { type: 'placeOrder' }>[] {
    return this.commands.filter((c): c is Extract<Command, { type: 'placeOrder' }> => c.type === 'placeOrder');
  }
}

function filled(
  clientOrderId: string,
  qty: string,
  price: string,
  tradeId: number,
  opts: Partial<OrderSnapshot> = {},
): OrderSnapshot {
  return {
    clientOrderId,
    symbol: 'BTCUSDT',
    status: 'FILLED',
    executedQty: qty,
    cumulativeQuoteQty: (Number(qty) * Number(price)).toFixed(8),
    updateTime: T0,
    fills: [
      {
        tradeId,
        price,
        qty,
        quoteQty: (Number(qty) * Number(price)).toFixed(8),
        commission: '0',
        commissionAsset: 'USDT',
        time: T0,
        isMaker: false,
      },
    ],
    ...opts,
  };
}

describe('bot kernel', () => {
  it('mints unique, valid client order ids that survive a JSON round trip (continue-as-new)', () => {
    const h = new Harness(
      scripted(() => [{ kind: 'place', tag: 'e', side: 'BUY', type: 'MARKET', quantity: '0.1', purpose: 'entry' }]),
    );
    h.send({ type: 'candle', now: T0 + 60_000, candle: candle(0, '100') });
    // Serialise like continue-as-new does, then keep going.
    h.state = JSON.parse(JSON.stringify(h.state)) as BotState;
    h.send({ type: 'candle', now: T0 + 120_000, candle: candle(1, '100') });
    const ids = h.places().map((c) => c.clientOrderId);
    expect(ids).toEqual([clientOrderIdFor(h.state.clientIdTag, 1), clientOrderIdFor(h.state.clientIdTag, 2)]);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it('never moves an order backwards and counts each fill once, whatever order reports arrive in', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [{ kind: 'place', tag: 'e', side: 'BUY', type: 'LIMIT', quantity: '0.2', price: '100', purpose: 'entry' }]
          : [],
      ),
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const id = h.places()[0]!.clientOrderId;
    const partial: OrderSnapshot = {
      clientOrderId: id,
      symbol: 'BTCUSDT',
      status: 'PARTIALLY_FILLED',
      executedQty: '0.1',
      cumulativeQuoteQty: '10',
      updateTime: T0 + 1,
      fills: [
        {
          tradeId: 7,
          price: '100',
          qty: '0.1',
          quoteQty: '10',
          commission: '0',
          commissionAsset: 'USDT',
          time: T0 + 1,
          isMaker: true,
        },
      ],
    };
    const full: OrderSnapshot = {
      ...partial,
      status: 'FILLED',
      executedQty: '0.2',
      cumulativeQuoteQty: '20',
      updateTime: T0 + 2,
      fills: [
        partial.fills![0]!,
        {
          tradeId: 8,
          price: '100',
          qty: '0.1',
          quoteQty: '10',
          commission: '0',
          commissionAsset: 'USDT',
          time: T0 + 2,
          isMaker: true,
        },
      ],
    };
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: { ...partial, status: 'NEW', executedQty: '0', cumulativeQuoteQty: '0', fills: [] },
    });
    h.send({ type: 'orderUpdate', now: T0, snapshot: full, source: 'reconcile' });
    // Late and duplicated stream reports of the partial fill.
    h.send({ type: 'orderUpdate', now: T0, snapshot: partial, source: 'stream' });
    h.send({ type: 'orderUpdate', now: T0, snapshot: partial, source: 'stream' });
    const order = h.state.orders[id]!;
    expect(order.status).toBe('FILLED');
    expect(order.executedQty).toBe('0.2');
    expect(order.fills.map((f) => f.tradeId)).toEqual([7, 8]);
    expect(h.state.position.qty).toBe('0.2');
    expect(h.state.stats.fills).toBe(2);
  });

  it('computes position, average entry and realised PnL net of fees', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [{ kind: 'place', tag: 'buy', side: 'BUY', type: 'MARKET', quantity: '1', purpose: 'entry' }]
          : s.n === 1
            ? [{ kind: 'place', tag: 'sell', side: 'SELL', type: 'MARKET', quantity: '1', purpose: 'exit' }]
            : [],
      ),
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const buy = h.places()[0]!.clientOrderId;
    // 1 BTC at 100 USDT, fee 0.1 USDT.
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: filled(buy, '1', '100', 1, {
        fills: [
          {
            tradeId: 1,
            price: '100',
            qty: '1',
            quoteQty: '100',
            commission: '0.1',
            commissionAsset: 'USDT',
            time: T0,
            isMaker: false,
          },
        ],
      }),
    });
    expect(h.state.position.avgEntryPrice).toBe('100.1');
    h.send({ type: 'candle', now: T0 + 60_000, candle: candle(1, '110') });
    const sell = h.places()[1]!.clientOrderId;
    // Sold at 110, fee 0.11 USDT: PnL = 110 - 0.11 - 100.1 = 9.79
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: filled(sell, '1', '110', 2, {
        fills: [
          {
            tradeId: 2,
            price: '110',
            qty: '1',
            quoteQty: '110',
            commission: '0.11',
            commissionAsset: 'USDT',
            time: T0 + 60_000,
            isMaker: false,
          },
        ],
      }),
    });
    expect(h.state.position.qty).toBe('0');
    expect(h.state.position.realizedPnl).toBe('9.79');
    expect(h.state.position.fees).toEqual({ USDT: '0.21' });
    expect(h.state.trades).toHaveLength(1);
    expect(h.state.trades[0]!.pnl).toBe('9.79');
    expect(h.state.stats).toMatchObject({ roundTrips: 1, wins: 1 });
  });

  it('refuses entries while paused but lets exits through', () => {
    const h = new Harness(
      scripted(() => [
        { kind: 'place', tag: 'entry', side: 'BUY', type: 'MARKET', quantity: '0.1', purpose: 'entry' },
        { kind: 'place', tag: 'exit', side: 'SELL', type: 'LIMIT', quantity: '0.1', price: '200', purpose: 'exit' },
      ]),
    );
    h.send({ type: 'pause', now: T0 });
    expect(h.state.status).toBe('PAUSED');
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    expect(h.places().map((c) => c.request.side)).toEqual(['SELL']);
    const strategyState = h.state.strategy as { seen: string[] };
    expect(strategyState.seen).toContain('entry:REJECTED');
    h.send({ type: 'resume', now: T0 });
    h.send({ type: 'candle', now: T0 + 60_000, candle: candle(1, '100') });
    expect(h.places().map((c) => c.request.side)).toEqual(['SELL', 'BUY', 'SELL']);
  });

  it('applies exchange filters before anything is sent, with a clear reason when too small', () => {
    const h = new Harness(
      scripted(() => [
        {
          kind: 'place',
          tag: 'ok',
          side: 'BUY',
          type: 'LIMIT',
          quantity: '0.123456',
          price: '100.129',
          purpose: 'entry',
        },
        { kind: 'place', tag: 'tiny', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: '100', purpose: 'entry' },
      ]),
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const [ok] = h.places();
    expect(ok!.request.quantity).toBe('0.1234');
    expect(ok!.request.price).toBe('100.12');
    const tiny = Object.values(h.state.orders).find((o) => o.tag === 'tiny')!;
    expect(tiny.status).toBe('REJECTED');
    expect(tiny.rejectReason).toMatch(/below the minimum notional 5/);
  });

  it('holds candles after a gap until the missing ones are fetched, then replays them in order', () => {
    const h = new Harness(scripted(() => []));
    h.send({ type: 'candle', now: T0, candle: candle(0, '1') });
    const fetches = h.send({ type: 'candle', now: T0, candle: candle(3, '4') });
    expect(fetches).toHaveLength(1);
    const fetch = fetches[0] as Extract<Command, { type: 'fetch' }>;
    expect(fetch.request).toMatchObject({ kind: 'candles', limit: 2, endTime: candle(3, '4').openTime - 1 });
    h.send({ type: 'candle', now: T0, candle: candle(4, '5') }); // arrives while the backfill runs
    h.send({ type: 'data', now: T0, requestId: fetch.requestId, result: [candle(1, '2'), candle(2, '3')] as never });
    expect((h.state.strategy as { n: number }).n).toBe(5);
    expect(h.state.lastCandleOpenTime).toBe(candle(4, '5').openTime);
    // A duplicate relayed by a second worker changes nothing.
    h.send({ type: 'candle', now: T0, candle: candle(4, '5') });
    expect((h.state.strategy as { n: number }).n).toBe(5);
  });

  it('stops gracefully: cancels open orders, then closes the position with close-position', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [
              { kind: 'place', tag: 'buy', side: 'BUY', type: 'MARKET', quantity: '0.5', purpose: 'entry' },
              { kind: 'place', tag: 'tp', side: 'SELL', type: 'LIMIT', quantity: '0.5', price: '150', purpose: 'exit' },
            ]
          : [],
      ),
      'close-position',
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const [buy, tp] = h.places();
    h.send({ type: 'orderPlaced', now: T0, snapshot: filled(buy!.clientOrderId, '0.5', '100', 1) });
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: {
        clientOrderId: tp!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0,
      },
    });
    const stopCommands = h.send({ type: 'stop', now: T0, reason: 'cancelled' });
    expect(h.state.status).toBe('STOPPING');
    expect(stopCommands.filter((c) => c.type === 'cancelOrder')).toEqual([
      { type: 'cancelOrder', clientOrderId: tp!.clientOrderId, symbol: 'BTCUSDT' },
    ]);
    const after = h.send({
      type: 'orderUpdate',
      now: T0,
      snapshot: {
        clientOrderId: tp!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'CANCELED',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0,
      },
      source: 'cancel',
    });
    const close = after.find((c) => c.type === 'placeOrder') as Extract<Command, { type: 'placeOrder' }>;
    expect(close.request).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '0.5' });
    expect(h.state.status).toBe('STOPPING');
    h.send({ type: 'orderPlaced', now: T0, snapshot: filled(close.clientOrderId, '0.5', '101', 2) });
    expect(h.state.status).toBe('STOPPED');
    expect(h.state.position.qty).toBe('0');
  });

  it('leaves orders alone with leave-orders', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [{ kind: 'place', tag: 'tp', side: 'SELL', type: 'LIMIT', quantity: '0.5', price: '150', purpose: 'exit' }]
          : [],
      ),
      'leave-orders',
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: {
        clientOrderId: h.places()[0]!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0,
      },
    });
    const commands = h.send({ type: 'stop', now: T0, reason: 'cancelled' });
    expect(commands.filter((c) => c.type === 'cancelOrder')).toHaveLength(0);
    expect(h.state.status).toBe('STOPPED');
  });

  it('sends a cancel asked for during submission once the exchange confirms the order', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [{ kind: 'place', tag: 'x', side: 'BUY', type: 'LIMIT', quantity: '0.1', price: '90', purpose: 'entry' }]
          : [{ kind: 'cancel', tag: 'x' }],
      ),
    );
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const id = h.places()[0]!.clientOrderId;
    const during = h.send({ type: 'candle', now: T0, candle: candle(1, '100') });
    expect(during.filter((c) => c.type === 'cancelOrder')).toHaveLength(0);
    const confirmed = h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: {
        clientOrderId: id,
        symbol: 'BTCUSDT',
        status: 'NEW',
        executedQty: '0',
        cumulativeQuoteQty: '0',
        updateTime: T0,
      },
    });
    expect(confirmed).toContainEqual({ type: 'cancelOrder', clientOrderId: id, symbol: 'BTCUSDT' });
  });

  it('places orders on declared extra symbols with their filters, keeping a position per symbol, and refuses undeclared ones', () => {
    const h = new Harness(
      scripted((_c, s) =>
        s.n === 0
          ? [
              {
                kind: 'place',
                tag: 'eth',
                symbol: 'ETHUSDT',
                side: 'BUY',
                type: 'LIMIT',
                quantity: '0.123456',
                price: '2000.009',
                purpose: 'entry',
              },
              {
                kind: 'place',
                tag: 'bnb',
                symbol: 'BNBUSDT',
                side: 'BUY',
                type: 'MARKET',
                quantity: '1',
                purpose: 'entry',
              },
            ]
          : [],
      ),
    );
    h.send({
      type: 'start',
      now: T0,
      filters: FILTERS,
      fresh: false,
      otherFilters: { ETHUSDT: { ...FILTERS, symbol: 'ETHUSDT', baseAsset: 'ETH', stepSize: '0.001' } },
    });
    h.send({ type: 'candle', now: T0, candle: candle(0, '100') });
    const [eth] = h.places();
    expect(eth!.request).toMatchObject({ symbol: 'ETHUSDT', quantity: '0.123', price: '2000' });
    expect(Object.values(h.state.orders).find((o) => o.tag === 'bnb')).toMatchObject({
      status: 'REJECTED',
      rejectReason: expect.stringContaining('not one the strategy declared'),
    });
    h.send({
      type: 'orderPlaced',
      now: T0,
      snapshot: {
        ...filled(eth!.clientOrderId, '0.123', '2000', 1),
        symbol: 'ETHUSDT',
        fills: [
          {
            tradeId: 1,
            price: '2000',
            qty: '0.123',
            quoteQty: '246',
            commission: '0.000123',
            commissionAsset: 'ETH',
            time: T0,
            isMaker: true,
          },
        ],
      },
    });
    expect(h.state.otherPositions?.ETHUSDT).toMatchObject({ qty: '0.122877' });
    expect(h.state.position.qty).toBe('0');
  });

  it('fires strategy timers when woken at or after their time, in time order', () => {
    const strategy = defineStrategy({
      id: 'timers',
      title: 't',
      description: 't',
      params: z.object({}).strict(),
      init: () => ({ fired: [] as string[] }),
      onEvent(state: { fired: string[] }, event) {
        if (event.type === 'start')
          return {
            state,
            intents: [
              { kind: 'timer', id: 'b', at: T0 + 2000 },
              { kind: 'timer', id: 'a', at: T0 + 1000 },
            ],
          };
        if (event.type === 'timer') return { state: { fired: [...state.fired, event.id] } };
        return { state };
      },
    });
    const h = new Harness(strategy);
    // The strategy starts once the first reconciliation answered.
    expect(Object.keys(h.state.timers)).toEqual([]);
    h.send({ type: 'reconciled', now: T0, balances: null, orphans: [], missing: [] });
    expect(h.state.timers).toEqual({ a: T0 + 1000, b: T0 + 2000 });
    expect(nextWakeAt(h.state)).toBe(T0 + 1000);
    h.send({ type: 'wake', now: T0 + 5000 });
    expect((h.state.strategy as { fired: string[] }).fired).toEqual(['a', 'b']);
  });
});
