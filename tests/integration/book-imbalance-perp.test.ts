/**
 * Seed 004 live on the paper exchange's USDⓈ-M side, with a real Temporal dev server: another
 * account's resting orders make the perpetual's book ask-heavy (its depth shows every account's
 * resting LIMIT orders), the bot reads GET /fapi/v1/depth, shorts with a LIMIT at the best bid
 * sized "3% for trade with max allowed leverage", and the exchange then holds the kernel's
 * closePosition protective stop, the strategy's reduce-only stop-loss and its reduce-only
 * take-profit. The price falls to the bid wall: the take-profit fills reduce-only, the position is
 * flat and nothing of the bot is left open on the exchange.
 */
import { describe, expect, it } from 'vitest';
import { eventually, harnessWithWorker } from '../support/harness';

const SYMBOL = 'BTCUSDT';
// 20 synthetic levels of 0.1 BTC a side, 10 USDT apart (100 ticks of 0.1), 1 tick of spread.
const h = harnessWithWorker('30000', {
  exchange: { book: { levels: 20, levelQty: '0.1', spreadTicks: 1, levelStepTicks: 100 } },
});
const perp = () => h.exchange.futures.perp;

function wall(side: 'BUY' | 'SELL', price: string, quantity: string): void {
  const r = perp().placeOrder({
    accountId: 'walls',
    symbol: SYMBOL,
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    price,
    quantity,
    time: Date.now(),
  });
  if (!r.ok) throw new Error(`wall ${side} ${quantity}@${price}: ${r.code} ${r.msg}`);
}

describe('seed 004 on the paper perpetual: a short from an ask-heavy book, protected and closed reduce-only', () => {
  it('shorts at the best bid with its stops on the exchange, then takes profit at the bid wall', async () => {
    h.exchange.futures.deposit('paper', 'USDT', '1000');
    perp().addAccount('walls', { USDT: '10000000' }, Date.now());
    const name = 'minerva-perp';
    await h.startBot(
      {
        name,
        strategy: 'book-imbalance',
        symbol: SYMBOL,
        market: 'futures',
        futures: { marginType: 'ISOLATED' },
        params: {
          capital: '10000',
          precentagePerTrade: '0.03',
          maxCapitalEngaged: '0.9',
          maxConcurrentTrades: 1,
          enableShort: true,
          leverage: 50,
          limitOrderbook: 20,
          prominence: 2,
          entryTimeoutCandles: 3,
        },
      },
      { reconcile: { openOrdersEveryMs: 2_000, staleEveryMs: 1_000, staleAfterMs: 2_000, idleEveryMs: 5_000 } },
    );
    await h.waitForState(name, (s) => s.eventsProcessed >= 2, 'started');
    await eventually(async () => {
      if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('candle stream not open yet');
    });

    // The walls: 20 BTC offered 30 above (asks 22 BTC vs bids 5 BTC: ask share 0.81), 3 BTC bid 60 below.
    wall('SELL', '30030.1', '20');
    wall('BUY', '29939.9', '3');
    h.exchange.market.setPrice(SYMBOL, '30000');
    h.exchange.market.closeCandle(SYMBOL, '1m');

    const open = await h.waitForState(
      name,
      (s) =>
        Number(s.position.qty) < 0 &&
        ['tp-1', 'sl-1', '__protect'].every((tag) => s.openOrders.some((o) => o.tag === tag && o.status === 'NEW')),
      'short open with its exits on the exchange',
    );
    // capital = min(10000, 1000 free) = 1000; margin 30; 30 / (29999.9 × (1/50 + 0.0005)) = 0.04878 → 0.048.
    expect(open.position.qty).toBe('-0.048');
    const entry = (open.strategyState as { decisions: { action: string; reason: string }[] }).decisions.find(
      (x) => x.action === 'enter-short',
    );
    expect(entry?.reason).toMatch(
      /^ask share 0\.81\d* >= short pressure 0\.75: short at 29999\.9, TP at the bid peak 29939\.9/,
    );

    // What the exchange holds: the short, a reduce-only take-profit, a reduce-only stop-loss, the protective stop.
    expect(perp().positions('paper', SYMBOL)[0]).toMatchObject({ positionAmt: '-0.048' });
    const fills = h.exchange.futures.audit.fills({ accountId: 'paper' });
    expect(fills.map((f) => [f.side, f.price, f.qty])).toEqual([['SELL', '29999.9', '0.048']]);
    const resting = perp().openOrders('paper', SYMBOL);
    expect(resting.map((o) => [o.side, o.type, o.price, o.origQty, o.reduceOnly])).toEqual([
      ['BUY', 'LIMIT', '29939.9', '0.048', true],
    ]);
    const algos = perp()
      .openAlgos('paper', SYMBOL)
      .map((a) => [
        a.side,
        a.type,
        a.triggerPrice,
        a.closePosition ? 'closePosition' : a.reduceOnly ? `reduceOnly ${a.quantity}` : `opening ${a.quantity}`,
      ])
      .sort();
    expect(algos).toEqual([
      ['BUY', 'STOP_MARKET', '30030.3', 'reduceOnly 0.048'],
      ['BUY', 'STOP_MARKET', '30299.9', 'closePosition'],
    ]);

    // The walls go (no new signal), and the price falls through the bid wall: the take-profit fills.
    perp().cancelAllOrders('walls', SYMBOL, Date.now());
    h.exchange.market.setPrice(SYMBOL, '29930');
    h.exchange.market.closeCandle(SYMBOL, '1m');

    const done = await h.waitForState(
      name,
      (s) =>
        s.position.qty === '0' &&
        s.openOrders.length === 0 &&
        (s.strategyState as { closed: unknown[] }).closed.length === 1,
      'take-profit filled, stop-loss and protective stop cancelled',
    );
    expect((done.strategyState as { closed: unknown[] }).closed[0]).toMatchObject({
      side: 'short',
      exit: 'take-profit',
      entryPrice: '29999.9',
      exitPrice: '29939.9',
      pnl: '2.88',
    });
    await eventually(async () => {
      if (perp().openAlgos('paper', SYMBOL).length > 0) throw new Error('algo orders still open');
    });
    expect(perp().positions('paper', SYMBOL)[0]?.positionAmt ?? '0').toBe('0');
    expect(perp().openOrders('paper', SYMBOL)).toEqual([]);
    const exit = perp()
      .allOrders('paper', SYMBOL)
      .find((o) => o.side === 'BUY' && o.type === 'LIMIT');
    expect(exit).toMatchObject({ status: 'FILLED', reduceOnly: true, executedQty: '0.048', price: '29939.9' });
    expect(h.exchange.futures.audit.fills({ accountId: 'paper' }).map((f) => [f.side, f.price, f.qty])).toEqual([
      ['SELL', '29999.9', '0.048'],
      ['BUY', '29939.9', '0.048'],
    ]);
  });
});
