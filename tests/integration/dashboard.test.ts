/**
 * The dashboard in Debian's Chromium (headless, playwright-core) against the real control API,
 * Temporal dev server, paper exchange and worker: log in, see the bots, pause one and see its
 * status change, open a bot and see its chart drawn with its markers, a refused params change shown
 * under the editor, stop with a confirmation, start a bot from a strategy, and the phone layout.
 * Screenshots are kept in test-artifacts/dashboard/ (git-ignored).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, startTestApi } from '../support/control-api';
import { eventually, harnessWithWorker } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
// CI installs Chromium and sets REQUIRE_CHROMIUM: there a missing browser fails the test rather than skipping it.
const hasChromium = existsSync(CHROMIUM) || process.env.REQUIRE_CHROMIUM === '1';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/dashboard');

const h = harnessWithWorker('30000', {
  exchange: { prices: { kind: 'random-walk', seed: 11, tickMs: 3_600_000, history: 120 } },
});
let api: TestApi;
let browser: Browser;
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

function closeCandle(price: string): void {
  h.exchange.market.setPrice('BTCUSDT', price);
  h.exchange.market.closeCandle('BTCUSDT', '1m');
}

async function newPage(viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => pageErrors.push(e.message));

  page.on('request', (r) => {
    if (!r.url().startsWith(api.url)) foreignRequests.push(r.url());
  });
  return page;
}

async function logIn(page: Page): Promise<void> {
  await page.goto(api.url);
  await page.fill('input[name=username]', api.username);
  await page.fill('input[name=password]', api.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('tbody[data-loaded="1"] tr[data-bot]');
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

describe.skipIf(!hasChromium)(
  `dashboard in Chromium${hasChromium ? '' : ` (SKIPPED: ${CHROMIUM} is absent; apt-get install -y chromium)`}`,
  () => {
    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const params = { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 };
      await h.startBot({ name: 'dash-a', strategy: 'dca-take-profit', symbol: 'BTCUSDT', params });
      await h.startBot({
        name: 'dash-b',
        strategy: 'dca-take-profit',
        symbol: 'BTCUSDT',
        params: { ...params, everyCandles: 50 },
      });
      await h.waitForState('dash-a', (s) => s.eventsProcessed > 0, 'start');
      // One entry fill for dash-a, so its chart has a marker.
      await eventually(
        async () => {
          closeCandle('30000');
          await h.waitForState('dash-a', (s) => s.stats.fills >= 1, 'first fill', 3_000);
        },
        30_000,
        0,
      );
      await h.waitForState(
        'dash-a',
        (s) => s.openOrders.some((o) => o.tag === 'tp-1' && o.status === 'NEW'),
        'take-profit resting',
      );
      api = await startTestApi(h);
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    afterAll(async () => {
      await browser?.close();
      await api?.close();
    });

    it('logs in, lists the bots live, and shows a pause as the new status', async () => {
      const page = await newPage({ width: 1280, height: 900 });
      // A wrong password is refused on the page.
      await page.goto(api.url);
      await page.fill('input[name=username]', api.username);
      await page.fill('input[name=password]', 'not-the-password');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('p.error')).toContain('Wrong username or password');
      await logIn(page);
      const names = await page.$$eval('tr[data-bot]', (rows) =>
        rows.map((r) => (r as unknown as { dataset: { bot: string } }).dataset.bot),
      );
      expect(names).toEqual(['dash-a', 'dash-b']);
      expect(await page.getAttribute('tr[data-bot="dash-a"]', 'data-status')).toBe('RUNNING');
      expect(await page.textContent('tr[data-bot="dash-a"] td[data-label="open orders"]')).toBe('1');
      await shot(page, 'bots.png');

      await page.click('tr[data-bot="dash-a"] button[data-action="pause"]');
      await page.waitForSelector('tr[data-bot="dash-a"][data-status="PAUSED"]');
      expect(await page.textContent('tr[data-bot="dash-a"] .badge')).toBe('PAUSED');
      expect((await h.state('dash-a')).status).toBe('PAUSED');
      await shot(page, 'bots-paused.png');
      await page.click('tr[data-bot="dash-a"] button[data-action="resume"]');
      await page.waitForSelector('tr[data-bot="dash-a"][data-status="RUNNING"]');
      await page.close();
    });

    it('opens a bot: candles drawn with its entry marked, the PnL curve, orders, fills and decisions', async () => {
      const page = await newPage({ width: 1280, height: 1000 });
      await logIn(page);
      await page.click('tr[data-bot="dash-a"] a');
      await page.waitForSelector('#price-chart[data-drawn="1"]');
      await page.waitForSelector('#pnl-chart[data-drawn="1"]');
      await page.waitForSelector('#fills tbody tr');
      const chart = await page.$eval('#price-chart', (el) => ({
        ...(el as unknown as { dataset: Record<string, string> }).dataset,
      }));
      expect(Number(chart.candles)).toBeGreaterThan(10);
      expect(Number(chart.buyMarkers)).toBeGreaterThanOrEqual(1);
      // The canvases are really painted: up and down candle colours and the blue buy marker.
      const painted = await page.evaluate(() => {
        type Canvas = {
          width: number;
          height: number;
          getContext(
            k: '2d',
          ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
        };
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Canvas> } })
          .document;
        const near = (d: Uint8ClampedArray, i: number, rgb: readonly number[]) =>
          Math.abs(d[i]! - rgb[0]!) + Math.abs(d[i + 1]! - rgb[1]!) + Math.abs(d[i + 2]! - rgb[2]!) < 40 &&
          d[i + 3]! > 200;
        const count = { up: 0, down: 0, buy: 0, canvases: 0 };
        for (const c of Array.from(doc.querySelectorAll('#price-chart canvas'))) {
          if (c.width === 0 || c.height === 0) continue;
          count.canvases++;
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < data.length; i += 4) {
            if (near(data, i, [0x26, 0xa2, 0x69])) count.up++;
            else if (near(data, i, [0xe0, 0x44, 0x4b])) count.down++;
            else if (near(data, i, [0x1c, 0x64, 0xf2])) count.buy++;
          }
        }
        return count;
      });
      expect(painted.canvases).toBeGreaterThan(0);
      expect(painted.up + painted.down).toBeGreaterThan(100);
      expect(painted.buy).toBeGreaterThan(10);
      expect(await page.textContent('#fills tbody tr')).toContain('BUY');
      expect(await page.textContent('#decisions')).toContain('every 1 candles');
      expect(await page.textContent('#orders')).toContain('tp-1');
      await shot(page, 'bot.png');
      await page.locator('#price-chart').screenshot({ path: path.join(ARTIFACTS, 'bot-chart.png') });
      expect(statSync(path.join(ARTIFACTS, 'bot-chart.png')).size).toBeGreaterThan(10_000);

      // A refused params change is shown under the editor, naming the field; the bot is untouched.
      await page.fill('textarea[aria-label="params (JSON)"]', '{"takeProfitPct": "-1"}');
      await page.click('button:has-text("Save params")');
      await expect
        .poll(() => page.textContent('.error.inline[data-for="params"]'))
        .toContain('params.takeProfitPct: must be a percentage above 0 and below 1000');
      expect(await page.getAttribute('textarea[aria-label="params (JSON)"]', 'class')).toContain('invalid');
      expect(((await h.state('dash-a')).params as { takeProfitPct: string }).takeProfitPct).toBe('1');
      await page.close();
    });

    it('stops a bot only after confirmation', async () => {
      const page = await newPage({ width: 1280, height: 900 });
      await logIn(page);
      await page.click('tr[data-bot="dash-b"] button[data-action="stop"]');
      await page.waitForSelector('dialog.confirm[open]');
      await shot(page, 'stop-confirm.png');
      await page.click('dialog.confirm button:has-text("Cancel")');
      expect((await h.state('dash-b')).status).toBe('RUNNING');
      await page.click('tr[data-bot="dash-b"] button[data-action="stop"]');
      await page.click('dialog.confirm button[data-confirm]');
      await eventually(async () => expect((await h.handle('dash-b').describe()).status.name).toBe('COMPLETED'));
      await page.waitForSelector('tr[data-bot="dash-b"]', { state: 'detached' });
      await page.close();
    });

    it('starts a bot from a strategy, refusing bad params under the editor first', async () => {
      const page = await newPage({ width: 1280, height: 900 });
      await logIn(page);
      await page.click('a.button:has-text("Start a bot")');
      await page.waitForSelector('#params-doc tbody tr');
      await page.selectOption('select[name=strategy]', 'dca-take-profit');
      expect(await page.textContent('#params-doc')).toContain('takeProfitPct');
      const defaults = JSON.parse(await page.inputValue('textarea[name=params]')) as Record<string, unknown>;
      expect(defaults).toMatchObject({ everyCandles: 3, takeProfitPct: '1', quantity: '' });
      await page.fill('input[name=name]', 'dash-c');
      await page.click('button:has-text("Start the bot")');
      await expect.poll(() => page.textContent('.error.inline[data-for="params"]')).toContain('params.quantity');
      expect(
        await h
          .handle('dash-c')
          .describe()
          .catch(() => null),
      ).toBeNull();
      await shot(page, 'start-refused.png');
      await page.fill('textarea[name=params]', JSON.stringify({ ...defaults, quantity: '0.001', everyCandles: 50 }));
      await page.click('button:has-text("Start the bot")');
      await page.waitForURL(/#\/bots\/dash-c$/);
      await page.waitForSelector('.badge[data-status="RUNNING"]');
      await page.close();
    });

    it('fits a phone-sized screen: bots as cards, the chart full width', async () => {
      const page = await newPage({ width: 390, height: 844 });
      await logIn(page);
      const layout = await page.evaluate(() => {
        type El = { getBoundingClientRect(): { width: number; right: number }; scrollWidth: number };
        const doc = (
          globalThis as unknown as { document: { documentElement: El; querySelector(s: string): El | null } }
        ).document;
        const row = doc.querySelector('tr[data-bot="dash-a"]')!.getBoundingClientRect();
        return { pageWidth: doc.documentElement.scrollWidth, rowWidth: row.width, rowRight: row.right };
      });
      expect(layout.pageWidth).toBeLessThanOrEqual(390);
      expect(layout.rowRight).toBeLessThanOrEqual(390);
      expect(layout.rowWidth).toBeGreaterThan(300);
      await shot(page, 'phone-bots.png');
      await page.click('tr[data-bot="dash-a"] a');
      await page.waitForSelector('#price-chart[data-drawn="1"]');
      const widths = await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              documentElement: { scrollWidth: number };
              querySelector(s: string): { getBoundingClientRect(): { width: number } };
            };
          }
        ).document;
        return {
          page: doc.documentElement.scrollWidth,
          chart: doc.querySelector('#price-chart').getBoundingClientRect().width,
        };
      });
      expect(widths.chart).toBeGreaterThan(300);
      expect(widths.chart).toBeLessThanOrEqual(390);
      expect(widths.page).toBeLessThanOrEqual(390);
      await shot(page, 'phone-bot.png');
      await page.close();
    });

    it('loaded nothing from elsewhere and threw no page error', () => {
      expect(foreignRequests).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  },
);
