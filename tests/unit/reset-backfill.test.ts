/**
 * After a Temporal reset, candles the gap backfill brings are fresh decisions only if they provably
 * closed after the reset; otherwise the discarded branch already acted on them (indicators only,
 * no entry). A closeTime later than the kernel's clock proves nothing (the paper exchange's
 * hand-closed candles lead the wall clock): such a backfilled candle counts as seen. Without a
 * reset, the backfill acts on every missed candle as before.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Command } from '../../core/kernel';
import type { Candle } from '../../core/market';
import { type Intent, type Strategy, defineStrategy } from '../../core/strategy';
import { KERNEL_FILTERS, KernelBot, T0, candle, lineageState } from '../support/kernel-fixtures';

/** Buys at market on every candle. */
const buyer: Strategy<Record<string, never>, { n: number }> = defineStrategy({
  id: 'buyer',
  title: 'test',
  description: 'test',
  params: z.object({}).strict(),
  init: () => ({ n: 0 }),
  onEvent(state, event) {
    if (event.type !== 'candle') return { state };
    const intent: Intent = {
      kind: 'place',
      tag: `buy-${state.n + 1}`,
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      purpose: 'entry',
    };
    return { state: { n: state.n + 1 }, intents: [intent] };
  },
});

class Bot extends KernelBot {
  constructor() {
    super(lineageState(buyer, {}), buyer);
    this.begin(KERNEL_FILTERS, { base: '0', quote: '100000' });
  }
  buys(): number {
    return this.last.filter((c) => c.type === 'placeOrder').length;
  }
  /** Candle `i` arrives live at `now` opening a gap; the backfill answers with the missing ones. */
  gapTo(i: number, now: number, missing: readonly Candle[]): number {
    this.send({ type: 'candle', now, candle: candle(i) });
    const fetch = this.last.find((c): c is Extract<Command, { type: 'fetch' }> => c.type === 'fetch');
    expect(fetch?.requestId).toMatch(/^__gap-/);
    this.send({ type: 'data', now: now + 500, requestId: fetch!.requestId, result: missing as never });
    return this.buys();
  }
}

describe('a reset, then a gap backfill', () => {
  it('candle clock ahead of the wall clock: the backfilled candle counts as seen (no second entry), the live one that opened the gap is fresh', () => {
    const bot = new Bot();
    bot.send({ type: 'candle', now: T0 + 1_000, candle: candle(0) });
    expect(bot.buys()).toBe(1);
    // The reset (its state from before candle 1, which the discarded branch acted on).
    bot.send({ type: 'reset', now: T0 + 2_000, branch: 'DDDDD', since: T0 });
    bot.send({
      type: 'reconciled',
      now: T0 + 2_100,
      balances: null,
      orphans: [],
      missing: [],
      foreign: [],
      scanIncomplete: false,
    });
    expect(bot.gapTo(2, T0 + 3_000, [candle(1)])).toBe(1);
    expect((bot.state.strategy as { n: number }).n).toBe(3);
    expect(bot.state.lastCandleOpenTime).toBe(candle(2).openTime);
  });

  it('real clock: a backfilled candle closed before the reset is seen, one closed after it is fresh', () => {
    const bot = new Bot();
    bot.send({ type: 'candle', now: candle(0).closeTime + 100, candle: candle(0) });
    const resetAt = candle(1).closeTime + 5_000;
    bot.send({ type: 'reset', now: resetAt, branch: 'DDDDD', since: T0 });
    bot.send({
      type: 'reconciled',
      now: resetAt + 100,
      balances: null,
      orphans: [],
      missing: [],
      foreign: [],
      scanIncomplete: false,
    });
    // Candle 1 closed before the reset, candle 2 after it (no live delivery: a worker was down); 3 is live.
    expect(bot.gapTo(3, candle(3).closeTime + 100, [candle(1), candle(2)])).toBe(2);
  });

  it('no reset: every missed candle is acted on, whatever its closeTime says (a worker that was down)', () => {
    const bot = new Bot();
    bot.send({ type: 'candle', now: T0 + 1_000, candle: candle(0) });
    expect(bot.gapTo(3, T0 + 3_000, [candle(1), candle(2)])).toBe(3);
  });
});
