import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../client/cli';
import { loadBotConfig } from '../../client/config-file';
import { BotConfigError, parseBotConfig } from '../../core/bot-definition';

const good = {
  name: 'dca-1',
  strategy: 'dca-take-profit',
  symbol: 'BTCUSDT',
  interval: '1m',
  account: 'paper',
  params: { quantity: '0.001' },
};

function problems(json: unknown, file = 'bots.json'): string[] {
  try {
    parseBotConfig(json, file);
  } catch (err) {
    if (err instanceof BotConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('bot config files', () => {
  it('accepts a valid file and fills defaults', () => {
    const [def] = parseBotConfig([good], 'bots.json');
    expect(def).toMatchObject({
      name: 'dca-1',
      onStop: 'cancel-orders',
      market: 'spot',
      params: { quantity: '0.001', everyCandles: 3, takeProfitPct: '1', maxLots: 3 },
    });
  });

  it("accepts the seeds' conf.json shape", () => {
    const [def] = parseBotConfig(
      [{ 'dca-1': { function: 'dca-take-profit', symbol: 'BTCUSDT', params: { quantity: '0.001' } } }],
      'conf.json',
    );
    expect(def).toMatchObject({ name: 'dca-1', strategy: 'dca-take-profit', interval: '1m', account: 'paper' });
  });

  it('names the file, the bot and the field of an unknown strategy', () => {
    expect(problems([{ ...good, strategy: 'moon-shot' }])).toEqual([
      expect.stringMatching(
        /^bots\.json: bot "dca-1" \(#1\): strategy: unknown strategy "moon-shot" \(known: .*dca-take-profit/,
      ),
    ]);
  });

  it('refuses a malformed symbol', () => {
    expect(problems([{ ...good, symbol: 'btc/usdt' }])).toEqual([
      expect.stringMatching(/^bots\.json: bot "dca-1" \(#1\): symbol: must be a Binance spot symbol/),
    ]);
  });

  it('refuses negative and float amounts', () => {
    expect(problems([{ ...good, params: { quantity: '-1' } }])).toEqual([
      'bots.json: bot "dca-1" (#1): params.quantity: must be greater than 0',
    ]);
    expect(problems([{ ...good, params: { quantity: 0.001 } }])[0]).toMatch(
      /params\.quantity: must be a decimal string/,
    );
  });

  it('refuses missing and extra params', () => {
    expect(problems([{ ...good, params: {} }])).toEqual([
      expect.stringMatching(/^bots\.json: bot "dca-1" \(#1\): params\.quantity: /),
    ]);
    expect(problems([{ ...good, params: { quantity: '1', leverage: 10 } }])).toEqual([
      'bots.json: bot "dca-1" (#1): params: unknown field(s) "leverage"',
    ]);
  });

  it('refuses unknown top-level fields, bad intervals and stop policies', () => {
    const p = problems([{ ...good, apiSecret: 'x', interval: '7m', onStop: 'panic' }]);
    expect(p).toContain('bots.json: bot "dca-1" (#1): unknown field(s) "apiSecret"');
    expect(p.some((l) => l.startsWith('bots.json: bot "dca-1" (#1): interval: must be one of'))).toBe(true);
    expect(p.some((l) => l.startsWith('bots.json: bot "dca-1" (#1): onStop: must be one of'))).toBe(true);
  });

  it('refuses duplicate bot names, naming both', () => {
    expect(problems([good, { ...good }])).toEqual([
      'bots.json: bot "dca-1" (#2): name: duplicate bot name, already used by bot #1',
    ]);
  });

  it('reports every problem of every bot at once', () => {
    const p = problems([good, { ...good, name: 'b', symbol: 'x' }, { ...good, name: 'c', strategy: 'nope' }]);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/bot "b" \(#2\): symbol/);
    expect(p[1]).toMatch(/bot "c" \(#3\): strategy/);
  });

  it('refuses a file that is not JSON or not a list, naming the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const bad = path.join(dir, 'broken.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadBotConfig(bad)).toThrow(
      new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`),
    );
    const obj = path.join(dir, 'object.json');
    writeFileSync(obj, JSON.stringify(good));
    expect(() => loadBotConfig(obj)).toThrow(/object\.json: must be a JSON array of bots/);
  });

  it('`bots start` refuses an invalid file before contacting Temporal', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'bots.json');
    writeFileSync(file, JSON.stringify([good, { ...good, name: 'x', params: { quantity: '-5' } }]));
    // No Temporal server is configured for this call: reaching it would fail differently.
    await expect(runCli(['start', file], () => {})).rejects.toThrow(
      /bot "x" \(#2\): params\.quantity: must be greater than 0/,
    );
  });
});
