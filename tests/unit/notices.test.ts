/**
 * Notices derived from kernel states: driven through the real kernel (core/kernel/) with a
 * strategy that buys on the first candle and sells on the second.
 */
import { describe, expect, it } from 'vitest';
import { type BotEvent, type BotState, createBotState, step } from '../../core/kernel';
import { isStopLoss, noticesBetween } from '../../core/notices';
import type { OrderRecord } from '../../core/orders';
import { defineStrategy } from '../../core/strategy';
import { z } from 'zod';

const strategy = defineStrategy<{ stopTag: boolean }, { n: number }>({
  id: 'test-round-trip',
  title: 'test',
  description: 'test',
  params: z.object({ stopTag: z.boolean().default(false) }),
  init: () => ({ n: 0 }),
  onEvent(state, event, ctx) {
    if (event.type !== 'candle') return { state };
    if (state.n === 0)
      return {
        state: { n: 1 },
        intents: [
          {
            kind: 'place',
            tag: 'buy-1',
            side: 'BUY',
            type: 'MARKET',
            quantity: '0.01',
            purpose: 'entry',
            reason: 'first candle',
          },
        ],
      };
    if (state.n === 1)
      return {
        state: { n: 2 },
        intents: [
          {
            kind: 'place',
            tag: ctx.params.stopTag ? 'stop-loss' : 'sell-1',
            side: 'SELL',
            type: 'MARKET',
            quantity: '0.01',
            purpose: 'exit',
            reason: ctx.params.stopTag ? 'stop-loss hit' : 'take profit',
          },
        ],
      };
    return { state };
  },
});

const setup = (stopTag = false) => ({
  name: 'n1',
  strategy: 'test-round-trip',
  symbol: 'BTCUSDT',
  interval: '1m' as const,
  account: 'paper',
  params: { stopTag },
  onStop: 'cancel-orders' as const,
  risk: {},
});
const candle = (i: number, close: string) => ({
  symbol: 'BTCUSDT',
  interval: '1m' as const,
  openTime: i * 60_000,
  closeTime: i * 60_000 + 59_999,
  open: close,
  high: close,
  low: close,
  close,
  volume: '1',
});

function run(s: BotState, e: BotEvent): BotState {
  return step(s, e, strategy as never).state;
}

function begin(stopTag = false): BotState {
  let s = createBotState(setup(stopTag), strategy as never, 0);
  s = run(s, { type: 'start', now: 1, filters: null, fresh: true });
  s = run(s, { type: 'reconciled', now: 2, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
  return s;
}

function fill(s: BotState, id: string, price: string, tradeId: number, now: number): BotState {
  return run(s, {
    type: 'orderPlaced',
    now,
    snapshot: {
      clientOrderId: id,
      symbol: 'BTCUSDT',
      status: 'FILLED',
      executedQty: '0.01',
      cumulativeQuoteQty: String(Number(price) * 0.01),
      updateTime: now,
      fills: [
        {
          tradeId,
          price,
          qty: '0.01',
          quoteQty: String(Number(price) * 0.01),
          commission: '0',
          commissionAsset: 'USDT',
          time: now,
          isMaker: false,
        },
      ],
    },
  });
}

describe('notices from kernel states', () => {
  it('tells an entry, then an exit with the trade PnL, each with a stable id', () => {
    const s0 = begin();
    const s1 = run(s0, { type: 'candle', now: 10, candle: candle(1, '30000') });
    expect(noticesBetween(s0, s1)).toEqual([]); // placed, not filled: nothing to tell yet
    const buyId = Object.keys(s1.orders)[0]!;
    const s2 = fill(s1, buyId, '30000', 1, 11);
    const entry = noticesBetween(s1, s2);
    expect(entry.map((n) => n.kind)).toEqual(['fill', 'entry']);
    expect(entry[1]!.text).toContain('entry filled — BUY 0.01 BTCUSDT @ 30000 (300 USDT)');
    expect(entry[1]!.text).toContain('why: first candle');
    expect(entry[1]!.id).toBe(`${s2.clientIdTag}/entry/${buyId}`);
    // Deterministic: the same states give the same notices (replay).
    expect(noticesBetween(s1, s2)).toEqual(entry);

    const s3 = run(s2, { type: 'candle', now: 70, candle: candle(2, '30300') });
    const sellId = Object.keys(s3.orders).find((id) => id !== buyId)!;
    const s4 = fill(s3, sellId, '30300', 2, 71);
    const exit = noticesBetween(s3, s4).find((n) => n.kind === 'exit')!;
    expect(exit.text).toContain('exit filled — SELL 0.01 BTCUSDT @ 30300');
    expect(exit.text).toContain('realised +3 USDT');
    expect(exit.text).toContain('trade PnL +3 USDT (+1%)');
  });

  it('calls a stop-loss exit a stop-loss, and tells the stop with the PnL', () => {
    let s = begin(true);
    s = run(s, { type: 'candle', now: 10, candle: candle(1, '30000') });
    s = fill(s, Object.keys(s.orders)[0]!, '30000', 1, 11);
    const before = run(s, { type: 'candle', now: 70, candle: candle(2, '29700') });
    const sellId = Object.values(before.orders).find((o) => o.purpose === 'exit')!.clientOrderId;
    const after = fill(before, sellId, '29700', 2, 71);
    const kinds = noticesBetween(before, after).map((n) => n.kind);
    expect(kinds).toContain('stoploss');
    expect(noticesBetween(before, after).find((n) => n.kind === 'stoploss')!.text).toContain('stop-loss hit');
    const stopped = run(after, { type: 'stop', now: 80, reason: 'cancelled' });
    const told = noticesBetween(after, stopped);
    expect(told.map((n) => n.kind)).toEqual(['stopped']);
    expect(told[0]!.text).toContain('stopped (cancelled) — realised PnL -3 USDT, 1 trade(s)');
    // The kernel's own "stopping"/"stopped" notes are not repeated as info notices.
    expect(told.some((n) => n.kind === 'info')).toBe(false);
  });

  it('passes on warnings and errors of the kernel, keyed by time and text', () => {
    const s0 = begin();
    const s1 = run(s0, { type: 'reconcileFailed', now: 5, message: 'HTTP502' });
    const n = noticesBetween(s0, s1);
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: 'warning', text: expect.stringContaining('reconciliation failed: HTTP502') });
    expect(n[0]!.id).toMatch(new RegExp(`^${s1.clientIdTag}/note/5/`));
  });

  it('recognises stop-loss orders by type or by the strategy’s words', () => {
    const o = (type: OrderRecord['request']['type'], tag: string, reason?: string) =>
      ({ tag, reason, request: { type } }) as unknown as OrderRecord;
    expect(isStopLoss(o('STOP_LOSS_LIMIT', 'exit-1'))).toBe(true);
    expect(isStopLoss(o('MARKET', 'sell-1', 'stop-loss: price 29984 < entry 30000 - 15 (seed 001)'))).toBe(true);
    expect(isStopLoss(o('MARKET', 'sell-1', 'trailing exit'))).toBe(false);
    expect(isStopLoss(o('LIMIT_MAKER', 'exit-1', 'stop-loss bracket'))).toBe(false);
  });
});
