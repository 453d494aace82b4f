/** One futures bot per account + symbol (Binance one-way mode shares one position per symbol). */
import { describe, expect, it } from 'vitest';
import { BotConfigError, parseBotConfig } from '../../core/bot-definition';
import { futuresSlotProblems } from '../../core/futures/one-way-slot';

const fut = (name: string, symbol = 'BTCUSDT', account = 'main') => ({ name, symbol, account, market: 'futures' });
const spot = (name: string, symbol = 'BTCUSDT', account = 'main') => ({ name, symbol, account, market: 'spot' });
const running = (b: ReturnType<typeof fut>, where = `workflow bot-${b.name}`) => ({ ...b, where });

describe('futuresSlotProblems', () => {
  it('refuses a second futures bot on the same account and symbol, naming both bots, the account and the symbol', () => {
    const [problem, ...rest] = futuresSlotProblems([fut('short-b')], [running(fut('long-a'))]);
    expect(rest).toEqual([]);
    expect(problem).toContain('bot "short-b"');
    expect(problem).toContain('account "main"');
    expect(problem).toContain('BTCUSDT');
    expect(problem).toContain('futures bot "long-a" (workflow bot-long-a)');
    expect(problem).toMatch(/one-way mode/);
  });

  it('accepts a spot bot beside a futures bot, other symbols, other accounts, and a restart of the same bot', () => {
    const holders = [running(fut('long-a')), running(spot('spot-x', 'ETHUSDT'))];
    expect(
      futuresSlotProblems(
        [spot('spot-b'), fut('eth', 'ETHUSDT'), fut('sub', 'BTCUSDT', 'sub'), fut('LONG-A'), spot('spot-c', 'ETHUSDT')],
        holders,
      ),
    ).toEqual([]);
    // Two spot bots never clash here (they have no shared position).
    expect(futuresSlotProblems([spot('a'), spot('b')], [])).toEqual([]);
  });

  it('refuses two futures bots of one start on the same slot (the first keeps it), symbols compared ignoring case', () => {
    const problems = futuresSlotProblems([fut('a'), fut('b', 'btcusdt'), fut('c', 'ETHUSDT'), fut('d', 'ETHUSDT')], []);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/bot "b".*futures bot "a" \(bot #1 of the same start\)/);
    expect(problems[1]).toMatch(/bot "d".*futures bot "c" \(bot #3 of the same start\)/);
  });
});

describe('a config file with two futures bots on one account + symbol', () => {
  const bot = (name: string, market: 'spot' | 'futures', symbol = 'BTCUSDT') => ({
    name,
    strategy: 'dca-take-profit',
    symbol,
    market,
    params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
  });

  it('is refused, naming the file, both bots, the account and the symbol', () => {
    let err: unknown;
    try {
      parseBotConfig([bot('f-one', 'futures'), bot('s-one', 'spot'), bot('f-two', 'futures')], 'bots.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BotConfigError);
    const problems = (err as BotConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^bots\.json: bot "f-two": futures account "paper" symbol BTCUSDT is already traded by futures bot "f-one" \(bot #1 of bots\.json\)/,
    );
  });

  it('is accepted when the futures bots trade different symbols, beside a spot bot on the same symbol', () => {
    const defs = parseBotConfig(
      [bot('f-one', 'futures'), bot('s-one', 'spot'), bot('f-eth', 'futures', 'ETHUSDT')],
      'bots.json',
    );
    expect(defs.map((d) => d.name)).toEqual(['f-one', 's-one', 'f-eth']);
  });
});

describe('a futures bot on 1s candles', () => {
  it('is refused: USDⓈ-M futures have no 1s klines, the bot would never see a candle', () => {
    expect(() =>
      parseBotConfig(
        [
          {
            name: 'f-1s',
            strategy: 'dca-take-profit',
            symbol: 'BTCUSDT',
            market: 'futures',
            interval: '1s',
            params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
          },
        ],
        'bots.json',
      ),
    ).toThrow(/bot "f-1s".*interval: USDⓈ-M futures have no 1s candles/);
  });
});
