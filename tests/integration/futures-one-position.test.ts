/**
 * Binance one-way mode keeps one position per account + symbol: a second futures bot there would
 * trade the first one's position. Refused at start by every way in (startBot, used by the control
 * API and Telegram, and `bots start`), with a real Temporal dev server; a spot bot on the same
 * symbol, or the same bot after its stop, starts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../client/cli';
import { startBot } from '../../client/bots';
import { parseBotDefinition } from '../../core/bot-definition';
import { type TestApi, startTestApi } from '../support/control-api';
import { harnessWithWorker } from '../support/harness';

const h = harnessWithWorker('30000');
const dir = mkdtempSync(path.join(os.tmpdir(), 'futures-slot-'));
let api: TestApi;
afterAll(() => api?.close());
beforeAll(async () => {
  api = await startTestApi(h);
  h.exchange.futures.deposit('paper', 'USDT', '90000');
  process.env.TEMPORAL_ADDRESS = h.temporal.address;
  process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
});

const params = { everyCandles: 1000, quantity: '0.01', takeProfitPct: '1', maxLots: 1 };
const bot = (name: string, market: 'spot' | 'futures') => ({
  name,
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  account: 'paper',
  market,
  params,
  ...(market === 'futures' ? { futures: { leverage: 5, marginType: 'ISOLATED' as const } } : {}),
});

describe('one futures bot per account + symbol', () => {
  it('refuses a second futures bot on BTCUSDT of the same account; a spot bot on BTCUSDT starts', async () => {
    await h.startBot(bot('slot-long', 'futures'));
    await h.waitForState('slot-long', (s) => s.eventsProcessed >= 1, 'first futures bot running');

    const spot = await startBot(h.client, parseBotDefinition(bot('slot-spot', 'spot')), h.taskQueue);
    expect(spot.started).toBe(true);

    const refused = await startBot(h.client, parseBotDefinition(bot('slot-short', 'futures')), h.taskQueue).catch(
      (e: unknown) => e as Error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      `bot "slot-short": futures account "paper" symbol BTCUSDT is already traded by futures bot "slot-long" ` +
        `(workflow bot-slot-long); in one-way mode the exchange keeps one position per account and symbol, so two ` +
        `bots would trade each other's position. Stop "slot-long" or use another account`,
    );
    await expect(h.client.workflow.getHandle('bot-slot-short').describe()).rejects.toThrow(/not found/i);
  });

  it('`bots start` of a second futures bot is refused and starts nothing of the file', async () => {
    const file = path.join(dir, 'second.json');
    writeFileSync(file, JSON.stringify([bot('cli-spot-too', 'spot'), bot('cli-short', 'futures')]));
    const err = await runCli(['start', file, '--no-check'], () => {}).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(
      /^bot "cli-short": futures account "paper" symbol BTCUSDT is already traded by futures bot "slot-long" \(workflow bot-slot-long\)/,
    );
    for (const id of ['bot-cli-spot-too', 'bot-cli-short'])
      await expect(h.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
  });

  it('the control API answers 409 naming the other bot, and starts nothing of the list', async () => {
    const token = (await api.login()).accessToken;
    const r = await api.call('POST', '/api/v1/bots', {
      token,
      body: [bot('api-spot', 'spot'), bot('api-short', 'futures')],
    });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'futures_position_shared' });
    expect(JSON.stringify(r.body)).toContain('bot \\"api-short\\": futures account \\"paper\\" symbol BTCUSDT');
    expect(JSON.stringify(r.body)).toContain('futures bot \\"slot-long\\"');
    for (const id of ['bot-api-spot', 'bot-api-short'])
      await expect(h.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
  });

  it('once the first futures bot has stopped, another futures bot takes the account + symbol', async () => {
    await h.handle('slot-long').cancel();
    await h.handle('slot-long').result();
    const file = path.join(dir, 'after.json');
    writeFileSync(file, JSON.stringify([bot('cli-short', 'futures')]));
    const lines: string[] = [];
    expect(await runCli(['start', file, '--no-check'], (l) => lines.push(l))).toBe(0);
    expect(lines.join('\n')).toMatch(/started bot "cli-short"/);
  });
});
