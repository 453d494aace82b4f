/**
 * Seed 003 (RSI sniper): every entry condition and its boundary, the extreme block, the long2 rule,
 * each exit and stop-loss, first on hand-built bars (exact RSI values), then through the kernel on
 * close series crafted to hit given RSI values (computed independently here with Wilder's formula).
 */
import { describe, expect, it } from 'vitest';
import { checkBotDefinition } from '../../core/bot-definition';
import {
  type Bar,
  type Block,
  type RsiSniperParams,
  type RsiSniperState,
  exitCheck,
  long1Check,
  long2Check,
  nextBlock,
  rsiSniper,
  rsiSniperParams,
  shortCheck,
} from '../../core/strategies/rsi-sniper';
import { Market, createBot, feed, fetches, fillLast, placements, start, strategyState } from '../support/seed-harness';

const P: RsiSniperParams = rsiSniperParams.parse({});
const bar = (rsi: number, volume = '100', close = '100'): Bar => ({ openTime: 0, close, volume, rsi });
const failed = (c: { conditions: readonly { rule: string; ok: boolean }[] }) =>
  c.conditions.filter((x) => !x.ok).map((x) => x.rule);

describe('seed 003 long1 entry: volume >= 90, 26 >= RSI N-2 >= 10, RSI N-1 - RSI N-2 >= 4, RSI N-1 < 40', () => {
  it('all conditions met', () => expect(long1Check(bar(24), bar(20), P).ok).toBe(true));
  it('volume N-1 = 90 passes, 89.99 fails', () => {
    expect(long1Check(bar(24, '90'), bar(20), P).ok).toBe(true);
    expect(failed(long1Check(bar(24, '89.99'), bar(20), P))).toEqual(['Volume N-1 89.99 >= 90']);
  });
  it('RSI N-2 = 10 and 26 pass; 9.99 and 26.01 fail', () => {
    expect(long1Check(bar(14), bar(10), P).ok).toBe(true);
    expect(long1Check(bar(30), bar(26), P).ok).toBe(true);
    expect(long1Check(bar(14), bar(9.99), P).ok).toBe(false);
    expect(long1Check(bar(31), bar(26.01), P).ok).toBe(false);
  });
  it('a rise of exactly 4 passes, 3.99 fails', () => {
    expect(long1Check(bar(24), bar(20), P).ok).toBe(true);
    expect(long1Check(bar(23.99), bar(20), P).ok).toBe(false);
  });
  it('RSI N-1 must stay below 40: 39.99 passes, 40 fails', () => {
    expect(long1Check(bar(39.99), bar(25), P).ok).toBe(true);
    expect(failed(long1Check(bar(40), bar(25), P))).toEqual(['RSI N-1 40 < 40']);
  });
});

describe('seed 003 long2 entry: volume >= 90 and rising, 1 < V1/V2 <= 1.8, 72 <= RSI N-2 <= 86, drop >= 2.5, no long2 in a row', () => {
  it('all conditions met', () => expect(long2Check(bar(77, '150'), bar(80, '100'), P, true).ok).toBe(true));
  it('volume N-1 must exceed volume N-2 (equal fails, and so does the ratio 1)', () => {
    expect(failed(long2Check(bar(77, '100'), bar(80, '100'), P, true))).toEqual([
      'Volume N-1 100 > Volume N-2 100',
      '1 < V N-1 / V N-2 = 1 <= 1.8',
    ]);
  });
  it('ratio 1.8 passes, 1.81 fails', () => {
    expect(long2Check(bar(77, '180'), bar(80, '100'), P, true).ok).toBe(true);
    expect(long2Check(bar(77, '181'), bar(80, '100'), P, true).ok).toBe(false);
  });
  it('volume N-1 >= 90 applies too: 89 after 50 fails only on that rule', () => {
    expect(failed(long2Check(bar(77, '89'), bar(80, '50'), P, true))).toEqual(['Volume N-1 89 >= 90']);
  });
  it('RSI N-2 = 72 and 86 pass; 71.99 and 86.01 fail', () => {
    expect(long2Check(bar(69.5, '150'), bar(72, '100'), P, true).ok).toBe(true);
    expect(long2Check(bar(83.5, '150'), bar(86, '100'), P, true).ok).toBe(true);
    expect(long2Check(bar(69, '150'), bar(71.99, '100'), P, true).ok).toBe(false);
    expect(long2Check(bar(83, '150'), bar(86.01, '100'), P, true).ok).toBe(false);
  });
  it('a drop of exactly 2.5 passes, 2.49 fails', () => {
    expect(long2Check(bar(77.5, '150'), bar(80, '100'), P, true).ok).toBe(true);
    expect(long2Check(bar(77.51, '150'), bar(80, '100'), P, true).ok).toBe(false);
  });
  it('refused when the last position was a long2 and RSI has not been below 50 since', () => {
    expect(failed(long2Check(bar(77, '150'), bar(80, '100'), P, false))).toEqual([
      'no long2 in a row unless RSI went below 50 since the last one',
    ]);
  });
});

describe('seed 003 short entry: volume >= 90 and falling, 0.7 <= V1/V2 < 1, 72 <= RSI N-2 <= 83, drop >= 3.5, RSI N-1 > 60', () => {
  it('all conditions met', () => expect(shortCheck(bar(75, '90'), bar(80, '100'), P).ok).toBe(true));
  it('ratio 0.7 passes, 0.69 fails, 1 fails (and equal volumes fail the "<" too)', () => {
    expect(shortCheck(bar(75, '140'), bar(80, '200'), P).ok).toBe(true);
    expect(shortCheck(bar(75, '138'), bar(80, '200'), P).ok).toBe(false);
    expect(failed(shortCheck(bar(75, '200'), bar(80, '200'), P))).toEqual([
      'Volume N-1 200 < Volume N-2 200',
      '0.7 <= V N-1 / V N-2 = 1 < 1',
    ]);
  });
  it('RSI N-2 = 72 and 83 pass; 71.99 and 83.01 fail', () => {
    expect(shortCheck(bar(68.5, '90'), bar(72, '100'), P).ok).toBe(true);
    expect(shortCheck(bar(79.5, '90'), bar(83, '100'), P).ok).toBe(true);
    expect(shortCheck(bar(68, '90'), bar(71.99, '100'), P).ok).toBe(false);
    expect(shortCheck(bar(79, '90'), bar(83.01, '100'), P).ok).toBe(false);
  });
  it('a drop of exactly 3.5 passes, 3.49 fails', () => {
    expect(shortCheck(bar(76.5, '90'), bar(80, '100'), P).ok).toBe(true);
    expect(shortCheck(bar(76.51, '90'), bar(80, '100'), P).ok).toBe(false);
  });
  it('RSI N-1 must stay above 60: 60.01 passes, 60 fails', () => {
    expect(shortCheck(bar(60.01, '90'), bar(72, '100'), P).ok).toBe(true);
    expect(failed(shortCheck(bar(60, '90'), bar(72, '100'), P))).toEqual(['RSI N-1 60 > 60']);
  });
});

describe('seed 003 exits and close-based stop-losses', () => {
  const entry = { close: '100', rsi: 70 };
  it('long1 exits when RSI >= 40 (39.99 holds)', () => {
    expect(exitCheck('long1', entry, bar(40, '1', '100'), P).exit).toBe(true);
    expect(exitCheck('long1', entry, bar(39.99, '1', '100'), P).exit).toBe(false);
  });
  it('long1 stop-loss at a close down at least 0.7 % (99.30 yes, 99.31 no)', () => {
    expect(exitCheck('long1', entry, bar(30, '1', '99.3'), P)).toMatchObject({
      exit: true,
      reason: expect.stringContaining('stop-loss long1'),
    });
    expect(exitCheck('long1', entry, bar(30, '1', '99.31'), P).exit).toBe(false);
  });
  it('long2 exits when RSI >= entry RSI + 1.5 (71.5 yes, 71.49 no)', () => {
    expect(exitCheck('long2', entry, bar(71.5, '1', '100'), P).exit).toBe(true);
    expect(exitCheck('long2', entry, bar(71.49, '1', '100'), P).exit).toBe(false);
  });
  it('long2 stop-loss at a close down at least 1.1 % (98.90 yes, 98.91 no)', () => {
    expect(exitCheck('long2', entry, bar(60, '1', '98.9'), P)).toMatchObject({
      exit: true,
      reason: expect.stringContaining('stop-loss long2'),
    });
    expect(exitCheck('long2', entry, bar(60, '1', '98.91'), P).exit).toBe(false);
  });
  it('short exits when RSI <= 60 (60.01 holds)', () => {
    expect(exitCheck('short', entry, bar(60, '1', '100'), P).exit).toBe(true);
    expect(exitCheck('short', entry, bar(60.01, '1', '100'), P).exit).toBe(false);
  });
  it('short stop-loss at a close up at least 0.8 % (100.80 yes, 100.79 no)', () => {
    expect(exitCheck('short', entry, bar(70, '1', '100.8'), P)).toMatchObject({
      exit: true,
      reason: expect.stringContaining('stop-loss short'),
    });
    expect(exitCheck('short', entry, bar(70, '1', '100.79'), P).exit).toBe(false);
  });
});

describe('seed 003 extreme block: RSI > 86 or < 10 forbids entries until RSI is back to 50', () => {
  it('86 and 10 do not block; 86.01 and 9.99 do', () => {
    expect(nextBlock(null, 86, 0, P)).toBeNull();
    expect(nextBlock(null, 10, 0, P)).toBeNull();
    expect(nextBlock(null, 86.01, 0, P)).toMatchObject({ side: 'above' });
    expect(nextBlock(null, 9.99, 0, P)).toMatchObject({ side: 'below' });
  });
  it('a block from above lifts at RSI <= 50 only; from below at RSI >= 50 only', () => {
    const above: Block = { side: 'above', rsi: 90, since: 0 };
    expect(nextBlock(above, 50.01, 1, P)).toBe(above);
    expect(nextBlock(above, 50, 1, P)).toBeNull();
    const below: Block = { side: 'below', rsi: 5, since: 0 };
    expect(nextBlock(below, 49.99, 1, P)).toBe(below);
    expect(nextBlock(below, 50, 1, P)).toBeNull();
  });
  it('falling from a high block straight below 10 crosses 50 and blocks again from below', () => {
    expect(nextBlock({ side: 'above', rsi: 90, since: 0 }, 8, 5, P)).toEqual({ side: 'below', rsi: 8, since: 5 });
  });
});

// ---- through the kernel ---------------------------------------------------------------------------

/** A warmed-up sniper (RSI near 50) with 1000 USDT free. */
function warmSniper(params: Record<string, unknown> = {}) {
  const m = new Market();
  for (let i = 0; i < 40; i++) m.next({ close: String(100 + (i % 2)) });
  const bot = createBot(rsiSniper, params, { interval: '15m' });
  const req = fetches(start(bot, m.t))[0]!;
  expect(req.request).toEqual({ kind: 'candles', symbol: 'BTCUSDT', interval: '15m', limit: 200 });
  feed(bot, { type: 'data', now: m.t, requestId: req.requestId, result: m.candles as never });
  feed(bot, { type: 'reconciled', now: m.t, balances: { base: '0', quote: '1000' }, orphans: [], missing: [] });
  const close = (target: number | { close: string }, volume = '100') => {
    const c = m.next(target, volume);
    return feed(bot, { type: 'candle', now: c.closeTime + 1, candle: c });
  };
  return { bot, m, close };
}

describe('seed 003 through the kernel (RSI computed by the strategy from crafted closes)', () => {
  it('long1: RSI 20 then 30 with volume 100 buys at market with the whole free balance, then exits at RSI >= 40', () => {
    const { bot, m, close } = warmSniper();
    expect(placements(close(20))).toHaveLength(0);
    const placed = placements(close(30));
    expect(placed).toHaveLength(1);
    expect(placed[0]!.request).toMatchObject({ side: 'BUY', type: 'MARKET', quoteOrderQty: '1000' });
    const s = strategyState<RsiSniperState>(bot);
    expect(s.position).toMatchObject({ kind: 'long1', entryClose: m.candles.at(-1)!.close });
    expect(s.decisions.at(-1)!.facts.rsiN1).toBeCloseTo(30, 3);
    // fill at the open of candle N
    feed(bot, {
      type: 'orderPlaced',
      now: m.t + 1,
      snapshot: {
        clientOrderId: placed[0]!.clientOrderId,
        symbol: 'BTCUSDT',
        status: 'FILLED',
        executedQty: '10.5',
        cumulativeQuoteQty: '1000',
        updateTime: m.t + 1,
        fills: [
          {
            tradeId: 1,
            price: '95.238',
            qty: '10.5',
            quoteQty: '1000',
            commission: '0',
            commissionAsset: 'USDT',
            time: m.t + 1,
            isMaker: false,
          },
        ],
      },
    });
    expect(placements(close(38))).toHaveLength(0); // still below 40
    const exit = placements(close(40.5));
    expect(exit[0]!.request).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '10.5' });
    expect(strategyState<RsiSniperState>(bot).decisions.at(-1)!.reason).toMatch(/^exit long1: RSI 40\.5/);
  });

  it('long1 stop-loss: a close 0.7 % under the entry close sells', () => {
    const { bot, m, close } = warmSniper();
    close(20);
    close(30);
    const entryClose = Number(m.candles.at(-1)!.close);
    fillLast(bot, String(entryClose), m.t + 1, '10');
    const placed = placements(close({ close: (entryClose * (1 - 0.0071)).toFixed(8) }));
    expect(placed[0]!.request).toMatchObject({ side: 'SELL', quantity: '10' });
    expect(strategyState<RsiSniperState>(bot).decisions.at(-1)!.reason).toContain('stop-loss long1');
  });

  it('the extreme block: after RSI > 86 a valid long2 setup is refused until RSI has been back to 50', () => {
    const { bot, close } = warmSniper();
    close(88); // extreme: blocked
    expect(strategyState<RsiSniperState>(bot).block).toMatchObject({ side: 'above' });
    close(80, '100');
    expect(placements(close(76, '150'))).toHaveLength(0); // long2 conditions hold, but blocked
    const s = strategyState<RsiSniperState>(bot);
    expect(s.lastEvaluation!.checks.long2!.ok).toBe(true);
    expect(s.decisions.at(-1)).toMatchObject({ action: 'blocked' });
    close(49.5); // back to 50 (and below): unblocked
    expect(strategyState<RsiSniperState>(bot).block).toBeNull();
    close(79, '100');
    const placed = placements(close(76, '150'));
    expect(placed).toHaveLength(1);
    expect(strategyState<RsiSniperState>(bot).position).toMatchObject({ kind: 'long2' });
  });

  it('long2 records its entry RSI and exits at entry RSI + 1.5; a second long2 needs RSI < 50 in between', () => {
    const { bot, close } = warmSniper();
    close(80, '100');
    expect(placements(close(76, '150'))).toHaveLength(1);
    const entryRsi = strategyState<RsiSniperState>(bot).position!.entryRsi;
    expect(entryRsi).toBeCloseTo(76, 6);
    fillLast(bot, '100', 0, '5');
    expect(placements(close(77.4))).toHaveLength(0); // < 76 + 1.5
    expect(placements(close(77.6))[0]!.request).toMatchObject({ side: 'SELL', quantity: '5' });
    fillLast(bot, '101', 0, '5');
    // RSI never went below 50: the same setup is refused
    close(80, '100');
    expect(placements(close(76, '150'))).toHaveLength(0);
    expect(strategyState<RsiSniperState>(bot).lastEvaluation!.checks.long2!.conditions.at(-1)).toMatchObject({
      ok: false,
    });
    // below 50 once, then the setup again: allowed
    close(49);
    close(80, '100');
    expect(placements(close(76, '150'))).toHaveLength(1);
  });

  it('short (futures bot): sells margin x leverage / close (fee kept out) at market, exits at RSI <= 60', () => {
    const { bot, m, close } = warmSniper({ enableShort: true });
    close(80, '100');
    const placed = placements(close(75, '90'));
    expect(placed).toHaveLength(1);
    const closeN1 = Number(m.candles.at(-1)!.close);
    const expectedQty = Math.floor((1000 / (closeN1 * (0.1 + 0.0005))) * 1e5) / 1e5; // fee kept out of the margin
    expect(placed[0]!.request).toMatchObject({ side: 'SELL', type: 'MARKET' });
    expect(Number(placed[0]!.request.quantity)).toBeCloseTo(expectedQty, 8);
    fillLast(bot, String(closeN1), m.t + 1);
    expect(placements(close(62))).toHaveLength(0);
    expect(placements(close(59))[0]!.request).toMatchObject({ side: 'BUY', quantity: placed[0]!.request.quantity });
  });

  it('the same short setup is ignored when shorts are disabled', () => {
    const { close } = warmSniper();
    close(80, '100');
    expect(placements(close(75, '90'))).toHaveLength(0);
  });

  it('a spot bot with shorts enabled refuses to start with a clear message; on futures it runs', () => {
    const def = {
      name: 'sniper',
      strategy: 'rsi-sniper',
      symbol: 'BTCUSDT',
      interval: '15m',
      params: { enableShort: true },
    };
    const spot = checkBotDefinition(def);
    expect(spot.ok).toBe(false);
    expect(!spot.ok && spot.problems[0]).toMatch(/enableShort needs a futures account/);
    const futures = checkBotDefinition({ ...def, market: 'futures' });
    expect(futures.ok).toBe(true);
    expect(checkBotDefinition({ ...def, params: {} }).ok).toBe(true);
  });

  it('a futures bot given a sizing mode other than "max" is refused, naming the field, not sized 30 times over', () => {
    const def = {
      name: 'sniper',
      strategy: 'rsi-sniper',
      symbol: 'BTCUSDT',
      interval: '15m',
      market: 'futures',
      params: { enableShort: true, sizing: { mode: 'base', quantity: '0.1' } },
    };
    const refused = checkBotDefinition(def);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.join('\n')).toMatch(
      /sizing \{"mode":"base","quantity":"0.1"\} does not apply on futures[\s\S]*"sizing": "max"/,
    );
    expect(checkBotDefinition({ ...def, params: { enableShort: true, sizing: 'max' } }).ok).toBe(true);
    // On spot the same sizing is honoured.
    expect(
      checkBotDefinition({ ...def, market: 'spot', params: { sizing: { mode: 'base', quantity: '0.1' } } }).ok,
    ).toBe(true);
  });

  it('a warm-up answer that never comes does not stall the bot: after 5 candles it warms on live ones', () => {
    const m = new Market();
    const bot = createBot(rsiSniper, {}, { interval: '15m' });
    start(bot, m.t);
    for (let i = 0; i < 5; i++) {
      const c = m.next({ close: String(100 + (i % 2)) });
      feed(bot, { type: 'candle', now: c.closeTime + 1, candle: c });
    }
    const s = strategyState<RsiSniperState>(bot);
    expect(s.warm).toBe(true);
    expect(s.decisions.at(-1)!.reason).toContain('no warm-up answer after 5 candles');
  });
});
