import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKlines } from '../../backtest/data';
import { runBacktest } from '../../backtest/engine';
import { aggregateBars, escapeHtml, reportHtml } from '../../backtest/html';
import { progressBar, summaryText } from '../../backtest/report';
import { grid } from '../../core/strategies/grid';
import { smartTrade } from '../../core/strategies/smart-trade';
import { backtest } from '../support/fixtures/backtest';
import { candles, flat } from '../support/fixtures/market';

const FIXTURE = path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv');

describe('terminal report', () => {
  it('summarises the run: equity, PnL, drawdown, trades', () => {
    const r = backtest(
      smartTrade,
      {
        sizing: { mode: 'base', quantity: '1' },
        exits: {
          takeProfits: [
            { pct: '2', share: '50' },
            { pct: '5', share: '50' },
          ],
          stopLoss: { pct: '3' },
        },
      },
      [flat(100), [100, 103, 99, 102], [102, 106, 101, 105]],
      { balances: { USDT: '1000' } },
    );
    const text = summaryText(r, { elapsedMs: 12 });
    expect(text).toContain('strategy            smart-trade');
    expect(text).toContain('bot                 STOPPED: smart trade complete: every exit filled');
    expect(text).toContain('equity              1000 → 1003.294602 USDT');
    expect(text).toContain('trades              2 (2 won, 0 lost), win rate 100.00 %');
    expect(text).toMatch(/speed {15}12 ms, 250 candles\/s/);
    expect(text).toContain('last 2 of 2 trades:');
  });

  it('draws a progress bar', () => {
    expect(progressBar(0, 1000, 10)).toBe('[          ]   0 %  0 / 1,000 candles');
    expect(progressBar(500_000, 1_000_000, 10)).toBe('[#####     ]  50 %  500,000 / 1,000,000 candles');
    expect(progressBar(1000, 1000, 10)).toBe('[##########] 100 %  1,000 / 1,000 candles');
  });
});

describe('HTML report', () => {
  const k = loadKlines(FIXTURE);
  const r = runBacktest({
    strategy: grid,
    params: { low: '38000', high: '46000', levels: 12, quantity: '0.01' },
    candles: k.candles,
  });
  const html = reportHtml(r, k.candles, { maxBars: 120 });

  it('is one standalone page: its only scripts are inline, nothing is fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const markup = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '<script/>');
    expect(markup).not.toMatch(/<link|\ssrc=|<img|@import|url\(|https?:\/\//i);
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="report-data">', '<script>']);
    // The inlined chart code never closes its own element early.
    const code = html.slice(html.lastIndexOf('<script>') + 8, html.lastIndexOf('</script>'));
    expect(/<\/script/i.test(code)).toBe(false);
    expect(code.length).toBeGreaterThan(50_000); // lightweight-charts and our chart component
  });

  it('embeds the bars with one marker per bar and side, the equity curve, and lists the trades', () => {
    expect(Number(/id="price-chart" data-bars="(\d+)"/.exec(html)?.[1])).toBe(120);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    const data = JSON.parse(json) as {
      candles: { time: number; open: number }[];
      fills: { side: string; count: number; time: number }[];
      equity: unknown[];
    };
    expect(data.candles).toHaveLength(120);
    expect(data.fills.filter((f) => f.side === 'BUY').length).toBeGreaterThan(5);
    expect(data.fills.filter((f) => f.side === 'SELL').length).toBeGreaterThan(5);
    expect(data.fills.reduce((n, f) => n + f.count, 0)).toBe(r.fills.length);
    expect(data.fills.every((f) => data.candles.some((c) => c.time === f.time))).toBe(true);
    expect(data.equity).toHaveLength(481);
    expect(html.match(/<tr><td class="l">/g)).toHaveLength(r.trades.length);
  });

  it('groups candles into bars and counts each fill on its bar', () => {
    const cs = candles([flat(1), [1, 3, 1, 2], [2, 2, 0.5, 1], flat(1)]);
    const fills = [
      { time: cs[1]!.openTime + 5, side: 'BUY', qty: '1', quoteQty: '2', purpose: 'entry' },
      { time: cs[3]!.openTime + 5, side: 'SELL', qty: '1', quoteQty: '1', purpose: 'exit' },
    ] as never;
    const bars = aggregateBars(cs, fills, 2);
    expect(bars.map((b) => [b.o, b.h, b.l, b.c, b.buys, b.sells])).toEqual([
      [1, 3, 1, 2, 1, 0],
      [2, 2, 0.5, 1, 0, 1],
    ]);
  });

  it('escapes what it shows', () => {
    expect(escapeHtml(`<b a="1">&'`)).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
  });
});
