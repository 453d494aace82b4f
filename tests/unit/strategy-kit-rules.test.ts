/**
 * The kit's rule and plumbing helpers the seed strategies are written with: conditions whose text
 * and test come from one place (rsi-sniper's rules), the extreme latch, sharing a fill among grid
 * cells, what a sell left, price stops, and the params helpers (ordered ranges, ladder sizes).
 */
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../core/orders';
import { formatIssues, rsiLevel } from '../../core/schema';
import * as kit from '../../core/strategy-kit';
import { BTC_FILTERS } from '../support/seed-harness';

describe('conditions written as data', () => {
  it('compare floats as floats, decimals exactly, and write the rule as the seed does', () => {
    expect(kit.is('RSI N-1', 39.99999, '<', 40)).toEqual({ rule: 'RSI N-1 40 < 40', ok: true });
    expect(kit.is('Volume N-1', '89.99', '>=', '90')).toEqual({ rule: 'Volume N-1 89.99 >= 90', ok: false });
    expect(kit.is('Volume N-1', '100', '>', '100', 'Volume N-2 100').rule).toBe('Volume N-1 100 > Volume N-2 100');
    expect(kit.within(26, '>=', 'RSI N-2', 26, '>=', 10)).toEqual({ rule: '26 >= RSI N-2 26 >= 10', ok: true });
    expect(kit.within(10, '<=', 'RSI N-2', 9.99, '<=', 26).ok).toBe(false);
  });
  it('a ratio is compared without dividing, never met when the divisor is 0', () => {
    expect(kit.ratioWithin('1', '<', 'V =', '180', '100', '<=', '1.8')).toEqual({
      rule: '1 < V = 1.8 <= 1.8',
      ok: true,
    });
    expect(kit.ratioWithin('1', '<', 'V =', '100', '100', '<=', '1.8').ok).toBe(false);
    expect(kit.ratioWithin('0', '<=', 'V =', '1', '0', '<', '1')).toEqual({ rule: '0 <= V = n/a < 1', ok: false });
  });
  it('a close-based stop: a long at -0.7 % or lower, a short at +0.8 % or higher', () => {
    expect(kit.closeStop('stop-loss long1', false, '100', '99.3', '0.7')).toEqual({
      rule: 'stop-loss long1: close 99.3 is -0.7% from entry close 100 (<= -0.7%)',
      ok: true,
    });
    expect(kit.closeStop('stop-loss long1', false, '100', '99.31', '0.7').ok).toBe(false);
    expect(kit.closeStop('stop-loss short', true, '100', '100.8', '0.8').ok).toBe(true);
    expect(kit.firstHeld([kit.is('a', 1, '>', 2), kit.is('b', 3, '>', 2)])?.rule).toBe('b 3 > 2');
  });
});

describe('extreme latch', () => {
  const band = { above: 86, below: 10, reset: 50 };
  const make = (side: 'above' | 'below', since: number) => ({ side, since });
  it('holds until the value is back to the reset level, keeping the time it was first set', () => {
    const set = kit.nextLatch(null, 87, 1, band, make);
    expect(set).toEqual({ side: 'above', since: 1 });
    expect(kit.nextLatch(set, 88, 2, band, make)).toEqual({ side: 'above', since: 1 });
    expect(kit.nextLatch(set, 50.01, 3, band, make)).toBe(set);
    expect(kit.nextLatch(set, 50, 4, band, make)).toBeNull();
    expect(kit.nextLatch(set, 9, 5, band, make)).toEqual({ side: 'below', since: 5 });
  });
  it('journals a block of entries when it is set or lifted, not while it holds', () => {
    expect(kit.extremesOf({ extremeAbove: 86, extremeBelow: 10, extremeReset: 50 })).toEqual(band);
    const ctx = { now: 7 };
    const journal = (was: kit.Latch | null, block: kit.Latch | null, value: number) =>
      kit.journalBlock({ block, decisions: [] as kit.DecisionRecord[] }, ctx, was, { label: 'RSI', value, band })
        .decisions;
    const above = { side: 'above', since: 1 } as const;
    expect(journal(null, above, 87.123456)).toEqual([
      {
        time: 7,
        action: 'block',
        reason: 'RSI 87.1235 > 86: no entry until RSI is back to 50',
        facts: { rsi: 87.1235 },
      },
    ]);
    expect(journal(above, { side: 'below', since: 7 }, 9)).toEqual([]); // blocked before and after
    expect(journal(null, { side: 'below', since: 7 }, 9)[0]?.reason).toBe(
      'RSI 9 < 10: no entry until RSI is back to 50',
    );
    expect(journal(above, null, 49)).toEqual([
      { time: 7, action: 'unblock', reason: 'RSI 49 back to 50: entries allowed again', facts: { rsi: 49 } },
    ]);
    expect(journal(null, null, 40)).toEqual([]);
  });
});

describe('sharing a fill, what a sell left, price stops', () => {
  it('shares in order up to each claim, skipping a share too small to sell', () => {
    const claims = [
      { qty: '0.001', price: '100' }, // 0.1 USDT: below the 5 USDT minimum notional
      { qty: '0.1', price: '100' },
      { qty: '0.1', price: '100' },
    ];
    expect(kit.shareOut('0.15', claims, BTC_FILTERS)).toEqual([
      { index: 1, qty: '0.1' },
      { index: 2, qty: '0.05' },
    ]);
  });
  it('a sell leaves nothing once filled or when only dust is left', () => {
    const sell = (status: OrderRecord['status'], executedQty: string) => ({ status, executedQty }) as OrderRecord;
    expect(kit.leftToSell(sell('CANCELED', '0.04'), '0.1', '100', BTC_FILTERS)).toBe('0.06');
    expect(kit.leftToSell(sell('CANCELED', '0.099'), '0.1', '100', BTC_FILTERS)).toBeNull();
    expect(kit.leftToSell(sell('FILLED', '0.1'), '0.1', '100', BTC_FILTERS)).toBeNull();
  });
  it('stops on a close at or beyond a stop price, and checks the prices against the range', () => {
    const p = { stopLossPrice: '90', takeProfitPrice: '120' };
    expect(kit.priceStopHit('grid', '90', p)).toEqual({
      kind: 'stop',
      reason: 'grid stop-loss: close 90 at or below 90',
    });
    expect(kit.priceStopHit('grid', '119.99', p)).toBeNull();
    expect(kit.priceStopIssues(p, { low: '95', high: '120' }).map(([bad]) => bad)).toEqual([false, true]);
  });
});

describe('params helpers', () => {
  it('strictRanges refuses an empty range at its low field, and unknown fields', () => {
    const schema = kit.strictRanges(['min <= max'], { min: rsiLevel.default(10), max: rsiLevel.default(26) });
    expect(schema.parse({})).toEqual({ min: 10, max: 26 });
    const bad = schema.safeParse({ min: 30 });
    expect(bad.success ? [] : formatIssues(bad.error)).toEqual([
      'min: 30 must be at most max (26): the range is empty',
    ]);
    expect(schema.safeParse({ mni: 1 }).success).toBe(false);
  });
  it('strictRanges reads each range as written: "<=" may be equal, "<" may not', () => {
    const schema = kit.strictRanges(['lo <= hi', 'above < below'], {
      lo: rsiLevel.default(10),
      hi: rsiLevel.default(26),
      above: rsiLevel.default(1),
      below: rsiLevel.default(2),
    });
    expect(schema.safeParse({ lo: 26, above: 1.5 }).success).toBe(true);
    const bad = schema.safeParse({ lo: 27, above: 2 });
    expect(bad.success ? [] : formatIssues(bad.error)).toEqual([
      'lo: 27 must be at most hi (26): the range is empty',
      'above: 2 must be below below (2): the range is empty',
    ]);
  });
  it('a ladder takes exactly one of quantity and amount; amount is worth its price', () => {
    expect(kit.ladderIssues({ low: '1', high: '2', quantity: '1', amount: '5' }).map(([bad]) => bad)).toEqual([
      false,
      true,
    ]);
    expect(kit.ladderQty({ amount: '100' }, '30000', BTC_FILTERS)).toBe('0.00333');
  });
});
