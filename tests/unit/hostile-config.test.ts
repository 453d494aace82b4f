/**
 * Careless and hostile config files: every refusal names the file, the bot and the field, shows
 * the file's other problems too, and never escapes as a bare library error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBotConfig } from '../../client/config-file';
import { BotConfigError, checkBotDefinition, parseBotConfig } from '../../core/bot-definition';

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

const one = (def: unknown): string[] => problems([def]);

describe('amounts that are not decimals', () => {
  it.each([
    ['abc', /params\.quantity: must be a plain decimal such as "12\.5" \(got "abc"\)/],
    [' 0.001', /params\.quantity: has spaces in it/],
    ['1,5', /params\.quantity: uses a comma .*with a dot/],
    ['', /params\.quantity: is empty/],
    ['١٫٥', /params\.quantity: must use the digits 0-9 only/],
    ['1e-3', /params\.quantity: uses an exponent/],
    ['NaN', /params\.quantity: must be a plain decimal/],
    ['9'.repeat(100_000), /params\.quantity: is 100000 characters long; at most 40/],
  ])('%j is refused with a message naming file, bot and field', (quantity, message) => {
    const p = one({ ...good, params: { quantity } });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^bots\.json: bot "dca-1" \(#1\): /);
    expect(p[0]).toMatch(message);
    expect(p[0]!.length).toBeLessThan(300); // a huge value is never echoed whole
  });

  it('a JSON number for money says to quote it', () => {
    expect(one({ ...good, params: { quantity: 0.001 } })[0]).toMatch(
      /params\.quantity: must be a decimal string such as "0\.001", in quotes/,
    );
  });

  it('shows every problem of the file at once, not only the first', () => {
    const p = problems([
      { ...good, params: { quantity: 'abc', takeProfitPct: '1,5' } },
      { ...good, name: 'b', symbol: 'btc', params: { quantity: '' } },
      { ...good, name: 'c', strategy: 'nope', interval: '7m' },
    ]);
    expect(p).toEqual([
      expect.stringMatching(/bot "dca-1" \(#1\): params\.quantity: must be a plain decimal/),
      expect.stringMatching(/bot "dca-1" \(#1\): params\.takeProfitPct: uses a comma/),
      expect.stringMatching(/bot "b" \(#2\): symbol: /),
      expect.stringMatching(/bot "b" \(#2\): params\.quantity: is empty/),
      expect.stringMatching(/bot "c" \(#3\): interval: must be one of/),
      expect.stringMatching(/bot "c" \(#3\): strategy: unknown strategy "nope"/),
    ]);
  });
});

describe('names and strategies', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'strategy %j is an unknown strategy, not a crash',
    (strategy) => {
      expect(one({ ...good, strategy })).toEqual([
        expect.stringMatching(new RegExp(`strategy: unknown strategy "${strategy}" \\(known: `)),
      ]);
    },
  );

  it('a name of the wrong type says so (not "is required")', () => {
    expect(one({ ...good, name: 123 })).toEqual(['bots.json: bot (#1): name: must be a name, not the number 123']);
    expect(one({ ...good, name: undefined })).toEqual(['bots.json: bot (#1): name: is required']);
  });

  it('names are unique ignoring case', () => {
    expect(
      problems([
        { ...good, name: 'Bot' },
        { ...good, name: 'bot' },
      ]),
    ).toEqual([
      'bots.json: bot "bot" (#2): name: duplicate bot name, already used by bot #1 ("Bot": names are compared ignoring case)',
    ]);
  });

  it('an entry that is not an object is named by its position', () => {
    expect(problems([good, null, 'x'])).toEqual([
      'bots.json: bot (#2): must be an object with name, strategy, symbol and params, not null',
      'bots.json: bot (#3): must be an object with name, strategy, symbol and params, not the text "x"',
    ]);
  });

  it('an empty list is refused', () => {
    expect(problems([])).toEqual(['bots.json: lists no bots (the array is empty)']);
  });

  it('futures: a strategy without futures support is refused by name; rsi-sniper with shorts runs; spot-only settings are named', () => {
    expect(one({ ...good, strategy: 'rsi-dip', params: {}, market: 'futures' })).toEqual([
      expect.stringMatching(/market: strategy rsi-dip does not run on futures yet/),
    ]);
    expect(one({ ...good, strategy: 'rsi-sniper', market: 'futures', params: { enableShort: true } })).toEqual([]);
    expect(one({ ...good, strategy: 'rsi-sniper', market: 'futures', params: {}, onStop: 'close-position' })).toEqual([
      expect.stringMatching(/onStop: "close-position" is not supported on futures yet/),
    ]);
    expect(
      one({ ...good, strategy: 'rsi-sniper', market: 'futures', params: { leverage: 10 }, futures: { leverage: 20 } }),
    ).toEqual([expect.stringMatching(/futures.leverage: 20 differs from params.leverage 10/)]);
    expect(one({ ...good, strategy: 'rsi-sniper', params: {}, futures: { leverage: 5 } })).toEqual([
      expect.stringMatching(/futures: only a bot with "market": "futures"/),
    ]);
    expect(one({ ...good, strategy: 'rsi-sniper', market: 'futures', params: {}, futures: { leverage: 500 } })).toEqual(
      [expect.stringMatching(/futures.leverage: must be 1-125/)],
    );
  });
});

describe('cross-field checks of every strategy', () => {
  const rsi = { ...good, strategy: 'rsi-sniper', interval: '15m', params: {} };
  it.each([
    [
      'rsi-sniper long1 min above max',
      { ...rsi, params: { long1: { rsiN2Min: 90, rsiN2Max: 10 } } },
      /params\.long1\.rsiN2Min: 90 must be at most rsiN2Max \(10\)/,
    ],
    [
      'rsi-sniper RSI level beyond 100',
      { ...rsi, params: { extremeAbove: 1e308 } },
      /params\.extremeAbove: must be an RSI level from 0 to 100/,
    ],
    [
      'rsi-sniper extremes out of order',
      { ...rsi, params: { extremeBelow: 60, extremeReset: 50 } },
      /params\.extremeBelow: 60 must be below extremeReset/,
    ],
    [
      'rsi-sniper long2 volume ratios inverted',
      { ...rsi, params: { long2: { volumeRatioAbove: '2', volumeRatioMax: '1.8' } } },
      /params\.long2\.volumeRatioAbove: 2 must be below volumeRatioMax/,
    ],
    [
      'rsi-sniper percent sizing above 100',
      { ...rsi, params: { sizing: { mode: 'percent', percent: '500' } } },
      /params\.sizing\.percent: must be a percentage above 0 and at most 100/,
    ],
    [
      'smart-trade sizing 500 percent',
      {
        ...good,
        strategy: 'smart-trade',
        params: { sizing: { mode: 'percent', percent: '500' }, exits: { stopLoss: { pct: '2' } } },
      },
      /params\.sizing\.percent: must be a percentage above 0 and at most 100/,
    ],
    [
      'smart-trade unknown sizing mode',
      { ...good, strategy: 'smart-trade', params: { sizing: { mode: 'all-in' }, exits: { stopLoss: { pct: '2' } } } },
      /params\.sizing\.mode: must be one of "base", "quote", "percent", "atr"/,
    ],
    [
      'risk maxDrawdownPct 500',
      { ...good, risk: { maxDrawdownPct: '500' } },
      /risk\.maxDrawdownPct: must be a percentage above 0 and at most 100/,
    ],
    [
      'grid low above high',
      { ...good, strategy: 'grid', params: { low: '2', high: '1', quantity: '0.01' } },
      /params\.high: must be above low/,
    ],
    [
      'bench-echo sell below buy',
      { ...good, strategy: 'bench-echo', params: { mode: 'fill', buyPrice: '2', sellPrice: '1' } },
      /params\.sellPrice: must be above buyPrice/,
    ],
    [
      'book-imbalance one trade above the cap',
      { ...good, strategy: 'book-imbalance', params: { precentagePerTrade: '0.5', maxCapitalEngaged: '0.4' } },
      /params\.precentagePerTrade: must not exceed maxCapitalEngaged/,
    ],
    [
      'book-imbalance threshold beyond 100 %',
      { ...good, strategy: 'book-imbalance', params: { relativeThreshold: 1e308 } },
      /params\.relativeThreshold: must be a percentage from 0 to 100/,
    ],
    [
      'macd fast above slow',
      { ...good, strategy: 'macd-portfolio', interval: '1d', params: { symbols: ['BTCUSDT'], fast: 30, slow: 26 } },
      /params\.fast: fast must be below slow/,
    ],
    [
      'model-scalper reads /etc/passwd',
      { ...good, strategy: 'model-scalper', params: { modelPath: '/etc/passwd', quantity: '0.001', numTrades: 1 } },
      /params\.modelPath: must be a relative path inside models\//,
    ],
    [
      'model-scalper climbs out of models/',
      {
        ...good,
        strategy: 'model-scalper',
        params: { modelPath: 'models/../../etc/passwd.onnx', quantity: '0.001', numTrades: 1 },
      },
      /params\.modelPath: must not contain "\.\."/,
    ],
    [
      'range-breakout bottom above top',
      {
        ...good,
        strategy: 'range-breakout',
        params: {
          top: '1',
          bottom: '2',
          pct: '1',
          sizing: { mode: 'base', quantity: '0.01' },
          exits: { stopLoss: { pct: '1' } },
        },
      },
      /params\.top: must be above bottom/,
    ],
    [
      'exits shares above 100 %',
      {
        ...good,
        strategy: 'smart-trade',
        params: { sizing: { mode: 'base', quantity: '0.01' }, exits: { takeProfits: [{ pct: '1', share: '150' }] } },
      },
      /params\.exits\.takeProfits\.0\.share: must be a percentage above 0 and at most 100/,
    ],
  ])('%s', (_what, def, message) => {
    const p = one(def);
    expect(
      p.some((l) => message.test(l)),
      p.join('\n'),
    ).toBe(true);
  });

  it('the defaults of every strategy still pass their own cross-field checks', () => {
    expect(checkBotDefinition({ ...rsi, params: {} }).ok).toBe(true);
    expect(checkBotDefinition({ ...good, strategy: 'book-imbalance', params: {} }).ok).toBe(true);
    expect(
      checkBotDefinition({ ...good, strategy: 'model-scalper', params: { quantity: '0.001', numTrades: 1 } }).ok,
    ).toBe(true);
  });
});

describe('config files on disk', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-hostile-'));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  it('a byte-order mark (Windows "UTF-8 with BOM") is accepted', () => {
    const file = write(
      'bom.json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([good]))]),
    );
    expect(loadBotConfig(file).map((d) => d.name)).toEqual(['dca-1']);
  });

  it('a JSON syntax error gives the line and column', () => {
    const file = write('syntax.json', '[\n  { "name": "a",\n    "strategy": }\n]');
    expect(() => loadBotConfig(file)).toThrow(/syntax\.json: not valid JSON: line 3, column 17: .*near/);
  });

  it('an empty file says it is empty', () => {
    const file = write('empty.json', '');
    expect(() => loadBotConfig(file)).toThrow(/empty\.json: not valid JSON: the file is empty/);
  });
});
