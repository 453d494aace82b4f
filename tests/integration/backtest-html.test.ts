/**
 * The HTML report opens in a real browser (headless Chromium driven by playwright-core) and shows
 * its charts (the dashboard's chart component, inlined): candles, fill markers and the equity
 * curve are painted, nothing is fetched, and a screenshot is taken. Needs /usr/bin/chromium (`apt-get install -y chromium`); skipped otherwise.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  it.skipIf(!hasChromium)(
    `renders the candlestick chart with its markers and the equity curve${hasChromium ? '' : ` (SKIPPED: ${CHROMIUM} is absent; apt-get install -y chromium)`}`,
    async () => {
      const { chromium } = await import('playwright-core');
      const k = loadKlines(path.resolve(__dirname, '../support/fixtures/klines/BTCUSDT-1h-2024-01.csv'));
      const r = runBacktest({
        strategy: grid,
        params: { low: '38000', high: '46000', levels: 12, quantity: '0.01' },
        candles: k.candles,
      });
      const file = path.join(dir, 'report.html');
      writeFileSync(file, reportHtml(r, k.candles, { maxBars: 240 }));
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const requests: string[] = [];
        page.on('request', (req) => requests.push(req.url()));
        await page.goto(`file://${file}`);
        await page.waitForSelector('#price-chart[data-drawn="1"]');
        await page.waitForSelector('#equity-chart[data-drawn="1"]');
        // Runs in the page; typed loosely here because the project compiles without the DOM library.
        const layout = await page.evaluate(() => {
          type Rect = { width: number; height: number };
          type Canvas = {
            width: number;
            height: number;
            getContext(
              k: '2d',
            ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
          };
          type El = {
            getBoundingClientRect(): Rect;
            dataset: Record<string, string>;
            querySelectorAll(s: string): ArrayLike<Canvas>;
          };
          const doc = (globalThis as unknown as { document: { title: string; querySelector(s: string): El | null } })
            .document;
          const near = (d: Uint8ClampedArray, i: number, rgb: readonly number[]) =>
            Math.abs(d[i]! - rgb[0]!) + Math.abs(d[i + 1]! - rgb[1]!) + Math.abs(d[i + 2]! - rgb[2]!) < 40 &&
            d[i + 3]! > 200;
          /** Pixels of each colour painted on the chart's canvases. */
          const paint = (el: El, colours: Record<string, readonly number[]>) => {
            const count: Record<string, number> = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
            for (const c of Array.from(el.querySelectorAll('canvas'))) {
              if (c.width === 0 || c.height === 0) continue;
              const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
              for (let i = 0; i < data.length; i += 4)
                for (const [k, rgb] of Object.entries(colours)) if (near(data, i, rgb)) count[k]!++;
            }
            return count;
          };
          const price = doc.querySelector('#price-chart')!;
          const equity = doc.querySelector('#equity-chart')!;
          return {
            price: price.getBoundingClientRect(),
            equity: equity.getBoundingClientRect(),
            data: { ...price.dataset },
            equityPoints: Number(equity.dataset.points),
            pricePaint: paint(price, {
              up: [0x26, 0xa2, 0x69],
              down: [0xe0, 0x44, 0x4b],
              buy: [0x1c, 0x64, 0xf2],
              sell: [0xf5, 0x9e, 0x0b],
            }),
            equityPaint: paint(equity, { gain: [0x0a, 0x7d, 0x38], loss: [0xc0, 0x27, 0x2d] }),
            title: doc.title,
          };
        });
        expect(layout.title).toBe('grid on BTCUSDT 1h');
        expect(layout.price.width).toBeGreaterThan(800);
        expect(layout.price.height).toBeGreaterThan(300);
        expect(layout.equity.height).toBeGreaterThan(100);
        expect(Number(layout.data.candles)).toBe(240);
        expect(Number(layout.data.buyMarkers)).toBeGreaterThan(5);
        expect(Number(layout.data.sellMarkers)).toBeGreaterThan(5);
        // The canvases are painted: both candle colours and both marker colours, and the curve.
        expect(layout.pricePaint.up).toBeGreaterThan(200);
        expect(layout.pricePaint.down).toBeGreaterThan(50);
        expect(layout.pricePaint.buy).toBeGreaterThan(20);
        expect(layout.pricePaint.sell).toBeGreaterThan(20);
        expect((layout.equityPaint.gain ?? 0) + (layout.equityPaint.loss ?? 0)).toBeGreaterThan(100);
        expect(layout.equityPoints).toBeGreaterThan(100);
        // Standalone: nothing but the file itself was loaded.
        expect(requests).toEqual([`file://${file}`]);
        expect(errors).toEqual([]);
        // Kept as test artefacts (git-ignored).
        const artifacts = path.resolve(__dirname, '../../test-artifacts/backtest-report');
        mkdirSync(artifacts, { recursive: true });
        const shot = path.join(artifacts, 'price-chart.png');
        await page.locator('#price-chart').screenshot({ path: shot });
        await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
      } finally {
        await browser.close();
      }
    },
  );
});
