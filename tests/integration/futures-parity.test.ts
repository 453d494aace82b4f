/**
 * One perpetual, two shells: the same candles replayed on the paper exchange (orders through
 * binance-api-node's futures methods) and played in the backtester's perpetual give the same
 * fills, funding, liquidation-free PnL and wallet — venue/perpetual is the only implementation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestPerpetual } from '../../backtest/perpetual';
import type { Candle } from '../../core/market';
import { type PaperExchange, ZERO_SPREAD_BOOK, startPaperExchange } from '../../exchange';
import { DEFAULT_PERP_SYMBOLS } from '../../venue/perpetual';
import { type BinanceClient, type Wire, clientFor } from '../support/exchange-client';

const BTC = 'BTCUSDT';
const START = Date.UTC(2024, 0, 1, 6, 0, 0);
const M15 = 15 * 60_000;

/** 40 candles of 15 minutes from 06:00 (the 08:00 funding falls inside), a dip then a rally. */
function candles(): Candle[] {
  const out: Candle[] = [];
  let price = 30000;
  for (let i = 0; i < 40; i++) {
    const drift = i < 15 ? -40 : 60;
    const open = price;
    const close = price + drift;
    const high = Math.max(open, close) + 25;
    const low = Math.min(open, close) - 25;
    out.push({
      symbol: BTC,
      interval: '15m',
      openTime: START + i * M15,
      closeTime: START + (i + 1) * M15 - 1,
      open: open.toFixed(1),
      high: high.toFixed(1),
      low: low.toFixed(1),
      close: close.toFixed(1),
      volume: '10',
    });
    price = close;
  }
  return out;
}

let dir: string;
let ex: PaperExchange;
let client: BinanceClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'futures-parity-'));
  const file = join(dir, 'klines.json');
  writeFileSync(
    file,
    JSON.stringify(candles().map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime, '0'])),
  );
  ex = await startPaperExchange({
    prices: { kind: 'replay', file, symbol: BTC, interval: '15m', manual: true },
    book: ZERO_SPREAD_BOOK,
    rateLimits: false,
    accounts: [{ apiKey: 'parity-key', apiSecret: 'parity-secret', futuresBalances: { USDT: '1000' } }],
  });
  client = clientFor(ex, 'parity-key', 'parity-secret', { httpFutures: ex.httpBase });
});

afterAll(async () => {
  await ex?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('paper futures and the backtester perpetual on the same candles', () => {
  it('same fills, same funding, same wallet', async () => {
    const bt = new BacktestPerpetual(DEFAULT_PERP_SYMBOLS[0]!, '1000', { leverage: 10 }, START);
    await client.futuresLeverage({ symbol: BTC, leverage: 10 });
    const cs = candles();
    for (const [i, c] of cs.entries()) {
      expect(ex.market.replayNext()).toBe(true);
      bt.onCandle(c);
      const t = c.closeTime;
      if (i === 3) {
        // Short 0.2 at the close, protected by a stop and a take-profit.
        await client.futuresOrder({
          symbol: BTC,
          side: 'SELL',
          type: 'MARKET',
          quantity: '0.2',
          newClientOrderId: 'p-short',
        });
        bt.executeOrder('p-short', { symbol: BTC, side: 'SELL', type: 'MARKET', quantity: '0.2' }, t);
        await client.futuresOrder({
          symbol: BTC,
          side: 'BUY',
          type: 'TAKE_PROFIT_MARKET',
          stopPrice: '29500',
          quantity: '0.1',
          reduceOnly: 'true',
          clientAlgoId: 'p-tp',
        });
        bt.perp.placeAlgo({
          accountId: 'backtest',
          symbol: BTC,
          side: 'BUY',
          type: 'TAKE_PROFIT_MARKET',
          triggerPrice: '29500',
          quantity: '0.1',
          reduceOnly: true,
          clientAlgoId: 'p-tp',
          time: t,
        });
        await client.futuresOrder({
          symbol: BTC,
          side: 'BUY',
          type: 'STOP_MARKET',
          stopPrice: '30100',
          closePosition: 'true',
          clientAlgoId: 'p-sl',
        });
        bt.perp.placeAlgo({
          accountId: 'backtest',
          symbol: BTC,
          side: 'BUY',
          type: 'STOP_MARKET',
          triggerPrice: '30100',
          closePosition: true,
          clientAlgoId: 'p-sl',
          time: t,
        });
      }
      if (i === 30) {
        // A long with a resting limit take-profit above.
        await client.futuresOrder({
          symbol: BTC,
          side: 'BUY',
          type: 'MARKET',
          quantity: '0.1',
          newClientOrderId: 'p-long',
        });
        bt.executeOrder('p-long', { symbol: BTC, side: 'BUY', type: 'MARKET', quantity: '0.1' }, t);
        await client.futuresOrder({
          symbol: BTC,
          side: 'SELL',
          type: 'LIMIT',
          price: '30600',
          quantity: '0.1',
          reduceOnly: 'true',
          newClientOrderId: 'p-long-tp',
        });
        bt.executeOrder(
          'p-long-tp',
          { symbol: BTC, side: 'SELL', type: 'LIMIT', price: '30600', quantity: '0.1', timeInForce: 'GTC' },
          t,
          { reduceOnly: true },
        );
      }
    }
    const wire = (await client.futuresUserTrades({ symbol: BTC })).map((f: Wire) => [
      f.side,
      Number(f.price),
      Number(f.qty),
      Number(f.commission),
      Number(f.realizedPnl),
      f.maker,
      f.time,
    ]);
    const sim = bt
      .fills()
      .map((f) => [
        f.side,
        Number(f.price),
        Number(f.qty),
        Number(f.commission),
        Number(f.realizedPnl),
        f.isMaker,
        f.time,
      ]);
    expect(wire).toEqual(sim);
    // short opened, take-profit half, stop the rest, long, its limit take-profit
    expect(sim).toHaveLength(5);
    const income = (rows: readonly { incomeType: string; income: string; time: number }[]) =>
      rows.filter((r) => r.incomeType === 'FUNDING_FEE').map((r) => [Number(r.income), r.time]);
    const wireIncome = (await client.futuresIncome({ symbol: BTC, limit: 1000 })) as Wire[];
    expect(income(wireIncome as never)).toEqual(income(bt.perp.incomes('backtest', { limit: 1000 })));
    expect(income(bt.perp.incomes('backtest', { limit: 1000 }))).toHaveLength(1); // 08:00, the short is open
    expect(Number((await client.futuresAccountBalance())[0].balance)).toBe(Number(bt.account().walletBalance));
    expect(ex.futures.audit.check(ex.futures.perp)).toEqual([]);
  });
});
