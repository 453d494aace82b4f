/**
 * The workflow's inbound checks as pure functions: what is pushed to the inbox, what is dropped
 * and recorded, and what the start input refuses.
 */
import { describe, expect, it } from 'vitest';
import { createBotState } from '../../core/kernel';
import type { Candle } from '../../core/market';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { checkParamsPatch, checkStartInput, createInbound } from '../../workflows/inbound';
import type { InboxItem, InputRejection } from '../../workflows/messages';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 30);
const setup = {
  name: 'b',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  interval: '1m' as const,
  account: 'paper',
  params: { quantity: '0.001', everyCandles: 3, takeProfitPct: '1', maxLots: 3 },
  onStop: 'cancel-orders' as const,
  risk: {},
};
const definition = {
  name: 'b',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  interval: '1m',
  account: 'paper',
  params: { quantity: '0.001' },
};

function wired(state = createBotState(setup, dcaTakeProfit, NOW)) {
  const pushed: InboxItem[] = [];
  const refused: InputRejection[] = [];
  const inbound = createInbound({
    state: () => state,
    push: (i) => pushed.push(i),
    now: () => NOW,
    maxCandleLeadMs: 60_000,
    strict: true,
    reject: (r) => refused.push(r),
  });
  return { inbound, pushed, refused };
}

const candle = (openTime: number): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime,
  closeTime: openTime + 59_999,
  open: '1',
  high: '1',
  low: '1',
  close: '1',
  volume: '0',
});

describe('inbound signals', () => {
  it('a sane candle goes to the inbox; a duplicate is dropped silently (several workers relay the same one)', () => {
    const state = { ...createBotState(setup, dcaTakeProfit, NOW), lastCandleOpenTime: Date.UTC(2026, 5, 1, 11, 59) };
    const { inbound, pushed, refused } = wired(state);
    inbound.candle([candle(Date.UTC(2026, 5, 1, 11, 59))]);
    inbound.candle([candle(Date.UTC(2026, 5, 1, 12, 0) - 60_000 * 0)]);
    expect(refused).toEqual([]);
    // 12:00 closes at 12:00:59.999, within the minute of skew allowed at 12:00:30.
    expect(pushed).toHaveLength(1);
    inbound.candle([candle(Date.UTC(2026, 5, 1, 12, 2))]);
    expect(refused.at(-1)?.reason).toMatch(/is in the future/);
  });

  it('a trigger must carry a price beyond its watched level', () => {
    const state = {
      ...createBotState(setup, dcaTakeProfit, NOW),
      watches: { stop: { direction: 'below' as const, price: '100' } },
    };
    const { inbound, pushed, refused } = wired(state);
    inbound.trigger([{ id: 'stop', price: '150', time: NOW }]);
    expect(refused.at(-1)?.reason).toBe('price 150 did not cross watch stop (below 100)');
    inbound.trigger([{ id: 'stop', price: '99.5', time: NOW }]);
    expect(pushed).toEqual([{ type: 'trigger', id: 'stop', price: '99.5', time: NOW }]);
  });

  it('input on a bare signal is ignored; an unknown signal name is recorded', () => {
    const { inbound, pushed, refused } = wired();
    inbound.bare('pause');
    inbound.unknown('puase');
    expect(pushed).toEqual([{ type: 'pause' }]);
    expect(refused).toEqual([{ time: NOW, message: 'signal puase', reason: expect.stringMatching(/^no such signal/) }]);
  });

  it('setParams takes exactly one small object', () => {
    expect(checkParamsPatch([{ quantity: '0.002' }])).toEqual({ ok: true, patch: { quantity: '0.002' } });
    expect(checkParamsPatch([{ a: 1 }, { b: 2 }])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/got 2 inputs/),
    });
    expect(checkParamsPatch(['{"quantity":"1"}'])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must be a JSON object .*not "\{/),
    });
  });
});

describe('start input', () => {
  it('accepts a definition with bounded options and fills the defaults', () => {
    const r = checkStartInput({ definition, options: { attemptTimeout: '8s', continueAsNewAtHistoryLength: 500 } });
    expect(r.ok && r.input.definition.params).toMatchObject({ quantity: '0.001', everyCandles: 3 });
  });

  it.each([
    [undefined, /not nothing/],
    [[], /not a list/],
    [{ definition, extra: 1 }, /unknown field\(s\) "extra"/],
    [
      { definition, options: { attemptTimeout: '0.1s' } },
      /options\.attemptTimeout: must be a duration from "1s" to "10m"/,
    ],
    [{ definition, options: { continueAsNewAfterEvents: 1 } }, /options\.continueAsNewAfterEvents: must be at least 5/],
    [
      { definition, options: { reconcile: { idleEveryMs: 'often' } } },
      /options\.reconcile\.idleEveryMs: must be a period in ms, not the text "often"/,
    ],
    [{ definition, options: { maxCandleLeadMs: -1 } }, /options\.maxCandleLeadMs: must be at least 0 ms/],
  ])('refuses %j', (raw, message) => {
    const r = checkStartInput(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.join('\n')).toMatch(message);
  });

  it('what a blocked run hands on is a pause or a resume, never with a carried state', () => {
    const held = { inbox: [{ type: 'pause' }] };
    const ok = checkStartInput({ definition, heldWhileBlocked: held });
    expect(ok.ok && ok.input.heldWhileBlocked).toEqual(held);
    const candle = checkStartInput({ definition, heldWhileBlocked: { inbox: [{ type: 'candle', candle: {} }] } });
    expect(!candle.ok && candle.problems.join('\n')).toMatch(/heldWhileBlocked\.inbox\.0/);
    const extra = checkStartInput({ definition, heldWhileBlocked: { ...held, state: {} } });
    expect(!extra.ok && extra.problems.join('\n')).toMatch(/heldWhileBlocked/);
    const state = createBotState(setup, dcaTakeProfit, NOW);
    const both = checkStartInput({
      definition,
      carried: { state, inbox: [], generation: 2, paramsUpdatesApplied: 0 },
      heldWhileBlocked: held,
    });
    expect(!both.ok && both.problems).toEqual(['heldWhileBlocked: not allowed with carried (it has its own inbox)']);
  });

  it('a carried state must be of this bot, with valid params', () => {
    const state = createBotState(setup, dcaTakeProfit, NOW);
    const carried = { state, inbox: [], generation: 2, paramsUpdatesApplied: 0 };
    expect(checkStartInput({ definition, carried }).ok).toBe(true);
    const other = checkStartInput({
      definition,
      carried: { ...carried, state: { ...state, setup: { ...state.setup, symbol: 'ETHUSDT' } } },
    });
    expect(!other.ok && other.problems).toEqual([
      'carried.state.setup.symbol: "ETHUSDT" is not the definition\'s "BTCUSDT"',
    ]);
    const badParams = checkStartInput({
      definition,
      carried: { ...carried, state: { ...state, setup: { ...state.setup, params: { quantity: 'abc' } } } },
    });
    expect(!badParams.ok && badParams.problems.join('\n')).toMatch(
      /carried\.state\.setup: bot "b": params\.quantity: must be a plain decimal/,
    );
    const badInbox = checkStartInput({
      definition,
      carried: { ...carried, inbox: [{ type: 'candle', candle: { close: 'NaN' } }] },
    });
    expect(!badInbox.ok && badInbox.problems.join('\n')).toMatch(/carried\.inbox\.0\.candle\./);
    // What a run carries after a reset and with an order of unknown outcome (issue 10) is accepted as it is.
    const order = {
      clientOrderId: 'b_x-1',
      tag: 'buy-1',
      request: { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' },
      purpose: 'entry',
      status: 'UNKNOWN',
      executedQty: '0',
      cumulativeQuoteQty: '0',
      fills: [],
      cancelRequested: false,
      createdAt: NOW,
      updatedAt: NOW,
      unknownSince: NOW,
    };
    const afterReset = {
      ...carried,
      state: { ...state, orders: { 'b_x-1': order } },
      inbox: [{ type: 'candle', candle: candle(Date.UTC(2026, 5, 1, 11, 59)), replayed: true }],
    };
    const accepted = checkStartInput({ definition, carried: afterReset });
    expect(accepted.ok).toBe(true);
    expect(accepted.ok && accepted.input.carried?.inbox[0]).toMatchObject({ replayed: true });
  });
});
