import { ATR, EMA, RSI, SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { atr, ema, extremes, nextAtr, nextEma, nextExtremes, nextRsi, nextSma, rsi, sma } from '../../core/indicators';

/** A deterministic wandering price series (no Math.random: failures must reproduce). */
function series(n: number, seed = 7): { high: number; low: number; close: number }[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  let price = 100;
  const out: { high: number; low: number; close: number }[] = [];
  for (let i = 0; i < n; i++) {
    const open = price;
    price = Math.max(1, price + (rnd() - 0.5) * 4);
    out.push({ high: Math.max(open, price) + rnd() * 2, low: Math.min(open, price) - rnd() * 2, close: price });
  }
  return out;
}

/** Run an incremental indicator over inputs and collect its warm values. */
function run<S extends { value: number | null }, I>(init: S, next: (s: S, i: I) => S, inputs: readonly I[]): number[] {
  const values: number[] = [];
  let s = init;
  for (const input of inputs) {
    s = next(s, input);
    if (s.value !== null) values.push(s.value);
  }
  return values;
}

function expectClose(actual: number[], expected: number[], digits: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v, `value #${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('incremental indicators match technicalindicators', () => {
  const candles = series(600);
  const closes = candles.map((c) => c.close);

  it.each([1, 5, 20])('SMA(%i)', (period) => {
    expectClose(run(sma(period), nextSma, closes), SMA.calculate({ period, values: closes }), 9);
  });

  it.each([5, 20, 50])('EMA(%i)', (period) => {
    expectClose(run(ema(period), nextEma, closes), EMA.calculate({ period, values: closes }), 9);
  });

  it.each([2, 14])('RSI(%i) (technicalindicators rounds to 2 decimals)', (period) => {
    expectClose(run(rsi(period), nextRsi, closes), RSI.calculate({ period, values: closes }), 1);
  });

  it.each([3, 14])('ATR(%i)', (period) => {
    const expected = ATR.calculate({
      period,
      high: candles.map((c) => c.high),
      low: candles.map((c) => c.low),
      close: closes,
    });
    expectClose(run(atr(period), nextAtr, candles), expected, 9);
  });
});

describe('indicator states', () => {
  it('are plain JSON and survive a JSON round trip mid-stream (continue-as-new)', () => {
    const closes = series(100).map((c) => c.close);
    let a = ema(10);
    let b = ema(10);
    let s1 = sma(7);
    let s2 = sma(7);
    for (const [i, c] of closes.entries()) {
      a = nextEma(a, c);
      s1 = nextSma(s1, c);
      b = nextEma(b, c);
      s2 = nextSma(s2, c);
      if (i % 13 === 0) {
        b = JSON.parse(JSON.stringify(b));
        s2 = JSON.parse(JSON.stringify(s2));
      }
    }
    expect(b).toEqual(a);
    expect(s2).toEqual(s1);
  });

  it('never mutate the previous state', () => {
    const s0 = nextSma(nextSma(sma(2), 1), 2);
    const frozen = JSON.stringify(s0);
    nextSma(s0, 10);
    expect(JSON.stringify(s0)).toBe(frozen);
  });

  it('SMA keeps exact sums over many laps (no float drift)', () => {
    let s = sma(3);
    for (let i = 0; i < 100_000; i++) s = nextSma(s, i % 2 === 0 ? 0.1 : 0.7);
    // last three inputs: i=99997 (0.7), 99998 (0.1), 99999 (0.7)
    expect(s.value).toBeCloseTo(0.5, 12);
  });

  it('RSI is 100 on a strictly rising series and 0 on a falling one', () => {
    expect(run(rsi(3), nextRsi, [1, 2, 3, 4, 5]).at(-1)).toBe(100);
    expect(run(rsi(3), nextRsi, [5, 4, 3, 2, 1]).at(-1)).toBe(0);
  });

  it('extremes give the highest high and lowest low of the window', () => {
    let s = extremes(3);
    const bars = [
      { high: 10, low: 5 },
      { high: 12, low: 6 },
      { high: 11, low: 4 },
      { high: 9, low: 8 },
    ];
    s = nextExtremes(s, bars[0]!);
    s = nextExtremes(s, bars[1]!);
    expect(s.highest).toBeNull();
    s = nextExtremes(s, bars[2]!);
    expect([s.highest, s.lowest]).toEqual([12, 4]);
    s = nextExtremes(s, bars[3]!);
    expect([s.highest, s.lowest]).toEqual([12, 4]);
    s = nextExtremes(s, { high: 7, low: 7 });
    expect([s.highest, s.lowest]).toEqual([11, 4]);
  });

  it('refuse a non-integer or non-positive period', () => {
    expect(() => sma(0)).toThrow(/positive integer/);
    expect(() => ema(2.5)).toThrow(/positive integer/);
  });
});
