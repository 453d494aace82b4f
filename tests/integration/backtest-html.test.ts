/**
 * The HTML report opens in a real browser (headless Chromium driven by playwright-core) and shows
 * its charts: candles, fill markers and the equity curve are laid out and visible, and a
 * screenshot is taken. Needs /usr/bin/chromium (`apt-get install -y chromium`); skipped otherwise.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKlines } from '../../backtest/data';
import { runBacktest } from '../../backtest/engine';
import { reportHtml } from '../../backtest/html';
import { grid } from '../../core/strategies/grid';

const CHROMIUM = '/usr/bin/chromium';
// CI installs Chromium and sets REQUIRE_CHROMIUM: there a missing browser fails the test rather than skipping it.
const hasChromium = existsSync(CHROMIUM) || process.env.REQUIRE_CHROMIUM === '1';
const dir = mkdtempSync(path.join(os.tmpdir(), 'backtest-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTML report in a browser', () => {
  it.skipIf(!hasChromium)(`renders the candlestick chart with its markers and the equity curve${hasChromium ? '' : ` (SKIPPED: ${CHROMIUM} is absent; apt-get install -y chromium)`}`, async () => {
    const { chromium } = await import('playwright-core');
    const k = loadKlines(path.resolve(__dirname, '../fixtures/klines/BTCUSDT-1h-2024-01.csv'));
    const r = runBacktest({ strategy: grid, params: { low: '38000', high: '46000', levels: 12, quantity: '0.01' }, candles: k.candles });
    const file = path.join(dir, 'report.html');
    writeFileSync(file, reportHtml(r, k.candles, { maxBars: 240 }));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${file}`);
      // Runs in the page; typed loosely here because the project compiles without the DOM library.
      const layout = await page.evaluate(() => {
        type Rect = { x: number; y: number; width: number; height: number };
        type El = { getBoundingClientRect(): Rect; closest(sel: string): El | null; points?: { length: number } };
        const doc = (globalThis as unknown as { document: { title: string; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El>; elementFromPoint(x: number, y: number): El | null } }).document;
        const box = (sel: string) => doc.querySelector(sel)?.getBoundingClientRect();
        const candles = Array.from(doc.querySelectorAll('#price-chart g.candle rect')).map((e) => e.getBoundingClientRect());
        const markers = doc.querySelectorAll('#price-chart path.marker').length;
        // A candle body is really painted where it is laid out: the browser hit-tests to it.
        const probe = candles[Math.floor(candles.length / 2)]!;
        const hit = doc.elementFromPoint(probe.x + probe.width / 2, probe.y + probe.height / 2);
        const line = doc.querySelector('#equity-chart polyline');
        return {
          price: box('#price-chart'),
          equity: box('#equity-chart'),
          candles: candles.length,
          drawn: candles.filter((b) => b.width > 0 && b.height > 0).length,
          markers,
          hitIsCandle: hit?.closest('g.candle') != null,
          equityPoints: line?.points?.length ?? 0,
          title: doc.title,
        };
      });
      expect(layout.title).toBe('grid on BTCUSDT 1h');
      expect(layout.price!.width).toBeGreaterThan(800);
      expect(layout.price!.height).toBeGreaterThan(300);
      expect(layout.equity!.height).toBeGreaterThan(100);
      expect(layout.candles).toBe(240);
      expect(layout.drawn).toBe(240);
      expect(layout.markers).toBeGreaterThan(10);
      expect(layout.hitIsCandle).toBe(true);
      expect(layout.equityPoints).toBe(r.metrics.equity.length);
      // Standalone: nothing but the file itself was loaded.
      expect(requests).toEqual([`file://${file}`]);
      const shot = path.join(dir, 'report.png');
      await page.locator('#price-chart').screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
