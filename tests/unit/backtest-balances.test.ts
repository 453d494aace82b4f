/**
 * Issue 10, in the backtester: the free balance a strategy sizes with follows the bot's own fills.
 * Seed 003 sizes every entry "MAX" (the whole free quote balance). Before balances followed fills,
 * an entry a few candles after an exit was sized from the balance seen while in the position, so
 * the backtest refused it (below the minimum notional, or -2010 insufficient balance). Here
 * rsi-sniper trades a long synthetic 15m series; every entry must spend what the previous exit
 * left, and no order may be refused.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../backtest/engine';
import { summaryText } from '../../backtest/report';
import { type Dec, add, d, str, sub } from '../../core/decimal';
import { rsiSniper } from '../../core/strategies/rsi-sniper';
import { BTCUSDT_FILTERS, candles } from '../support/fixtures/market';

/** A seeded random walk with bursts of volatility, so RSI swings through the seed's entry bands. */
function walk(n: number, seed: number): [number, number, number, number, number][] {
  let x = seed >>> 0;
  const rnd = (): number => {
    // xorshift32: deterministic, good enough for a price path.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const rows: [number, number, number, number, number][] = [];
  let price = 30000;
  for (let i = 0; i < n; i++) {
    const vol = Math.floor(i / 200) % 3 === 0 ? 0.012 : 0.004;
    const open = price;
    const close = Math.max(1000, open * (1 + (rnd() - 0.5) * 2 * vol));
    const high = Math.max(open, close) * (1 + rnd() * vol * 0.3);
    const low = Math.min(open, close) * (1 - rnd() * vol * 0.3);
    rows.push([
      Number(open.toFixed(2)),
      Number(high.toFixed(2)),
      Number(low.toFixed(2)),
      Number(close.toFixed(2)),
      Number((50 + rnd() * 150).toFixed(3)),
    ]);
    price = Number(close.toFixed(2));
  }
  return rows;
}

describe('balances in the backtester follow the bot own fills (seed 003 "Sizing MAX")', () => {
  it('every rsi-sniper entry after an exit spends what that exit left, and nothing is refused', () => {
    const series = candles(walk(20_000, 20260), { interval: '15m' });
    const r = runBacktest({
      strategy: rsiSniper,
      params: { minVolume: '0', warmupCandles: 50 },
      candles: series,
      filters: BTCUSDT_FILTERS,
      balances: { USDT: '10000' },
    });
    const entries = r.orders.filter((o) => o.purpose === 'entry');
    const exits = r.orders.filter((o) => o.purpose === 'exit');
    expect(entries.length, summaryText(r)).toBeGreaterThan(30);
    expect(exits.length).toBeGreaterThan(30);
    expect(
      r.orders.filter((o) => o.status !== 'FILLED').map((o) => `${o.tag} ${o.status} ${o.rejectReason ?? ''}`),
    ).toEqual([]);
    expect(summaryText(r)).toMatch(/ 0 rejected/);

    // The quote balance, fill by fill, as the exchange would hold it.
    let quote: Dec = '10000';
    const before = new Map<string, Dec>();
    for (const f of [...r.fills].sort((a, b) => a.time - b.time)) {
      if (!before.has(f.clientOrderId)) before.set(f.clientOrderId, quote);
      const fee = f.commissionAsset === 'USDT' ? f.commission : '0';
      quote = f.side === 'BUY' ? sub(sub(quote, f.quoteQty), fee) : sub(add(quote, f.quoteQty), fee);
      expect(d(quote).isNegative(), `quote balance after ${f.clientOrderId}`).toBe(false);
    }
    const spent = (id: string): Dec =>
      r.fills.filter((f) => f.clientOrderId === id).reduce<Dec>((acc, f) => add(acc, f.quoteQty), '0');
    // Every entry but the first comes after an exit, on whatever that exit returned to the balance.
    for (const e of entries.slice(1)) {
      const free = before.get(e.clientOrderId)!;
      expect(d(spent(e.clientOrderId)).dividedBy(free).toNumber(), `${e.tag}: spent of ${free}`).toBeGreaterThan(0.97);
    }
    expect(
      str(
        d(r.finalBalances.USDT?.free ?? '0')
          .minus(quote)
          .abs()
          .toFixed(8),
      ),
    ).toBe('0');
  });
});
