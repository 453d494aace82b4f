/**
 * Parity on futures: rsi-sniper with shorts, live (a bot workflow on the real Temporal dev server,
 * the futures activities, the paper exchange's perpetual replaying the candles one at a time) and
 * in the backtester (backtest/futures-run.ts on backtest/perpetual.ts) over the same 15-minute
 * candles: the same orders (entries, reduce-only exits, protective closePosition stops), the same
 * fills, the same funding at the 8 h mark while the short is open, the same PnL and wallet.
 *
 * Lockstep as in backtest-parity.test.ts: a candle is replayed only once the bot has processed the
 * previous one and agrees with the exchange. The candles are dated ahead of the clock, placed so
 * that a funding time falls while the short is open.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../backtest/download';
import { runFuturesBacktest } from '../../backtest/futures-run';
import type { Candle } from '../../core/market';
import { findStrategy } from '../../core/strategies';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { EIGHT_HOURS_MS } from '../../venue/perpetual';
import { futuresAgreement } from '../support/futures-agreement';
import { Harness, eventually } from '../support/harness';

const dir = mkdtempSync(path.join(os.tmpdir(), 'futures-backtest-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const M15 = 15 * 60_000;
const COUNT = 30;
/** The short opens at the close of candle 16 and is closed at the close of candle 20. */
const FUNDING_CANDLE = 19;

/** A seeded random walk (seed 71: a short, then a long, neither reaching its protective stop). */
function walk(seed: number): number[][] {
  const up = seed % 2 ? 1 : -1;
  const r = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let p = 30000;
  const rows: number[][] = [];
  for (let i = 0; i < 48; i++) {
    const drift = (r() - 0.5) * 300 + (i < 24 ? 60 : -60) * up;
    const o = p;
    const c = Math.round((p + drift) * 10) / 10;
    rows.push([
      o,
      Math.max(o, c) + Math.round(r() * 30),
      Math.min(o, c) - Math.round(r() * 30),
      c,
      Math.round(5 + r() * 10),
    ]);
    p = c;
  }
  return rows.slice(0, COUNT);
}

function candles(): Candle[] {
  const earliest = Date.now() + 3_600_000 + FUNDING_CANDLE * M15;
  const funding = Math.ceil(earliest / EIGHT_HOURS_MS) * EIGHT_HOURS_MS;
  const start = funding - FUNDING_CANDLE * M15;
  return walk(71).map(([o, h, l, c, v], i) => ({
    symbol: 'BTCUSDT',
    interval: '15m',
    openTime: start + i * M15,
    closeTime: start + (i + 1) * M15 - 1,
    open: o!.toFixed(1),
    high: h!.toFixed(1),
    low: l!.toFixed(1),
    close: c!.toFixed(1),
    volume: String(v),
  }));
}

const params = {
  enableShort: true,
  minVolume: '0',
  warmupCandles: 1,
  leverage: 10,
  // Seed 003's "MAX" (the default): on futures the free margin × leverage, less the fee.
};
const fillRow = (f: {
  side: string;
  price: string;
  qty: string;
  commission: string;
  realizedPnl: string;
  isMaker: boolean;
  time: number;
}) =>
  `${f.time} ${f.side} ${Number(f.qty)}@${Number(f.price)} fee ${Number(f.commission)} pnl ${Number(f.realizedPnl)} ${f.isMaker ? 'maker' : 'taker'}`;

describe('futures backtest and live on the paper perpetual agree', () => {
  it('rsi-sniper with shorts: same orders, fills, funding, PnL and wallet', async () => {
    const cs = candles();
    const file = path.join(dir, 'btc-15m.csv');
    writeFileSync(
      file,
      toCsv(cs.map((c) => ({ ...c, quoteVolume: '0', trades: 4, baseAssetVolume: '0', quoteAssetVolume: '0' }))),
    );
    const strategy = findStrategy('rsi-sniper')!;
    const bt = runFuturesBacktest({ strategy, params, candles: cs, balances: { USDT: '10000' } });
    const entries = bt.orders
      .filter((o) => o.tag.startsWith('entry-') && o.status === 'FILLED')
      .map((o) => o.request.side);
    expect(entries).toEqual(['SELL', 'BUY']); // a short, then a long
    expect(bt.futures.fundingPayments).toHaveLength(1);
    expect(bt.futures.liquidations).toBe(0);

    const h = new Harness({
      balances: { USDT: '0', BTC: '0' },
      exchange: {
        prices: { kind: 'replay', file, symbol: 'BTCUSDT', interval: '15m', manual: true },
        book: ZERO_SPREAD_BOOK,
      },
    });
    try {
      await h.start();
      h.exchange.futures.deposit('paper', 'USDT', '10000');
      await h.startWorker();
      await h.startBot(
        {
          name: 'fparity',
          strategy: 'rsi-sniper',
          symbol: 'BTCUSDT',
          interval: '15m',
          market: 'futures',
          params: params,
        },
        { reconcile: { openOrdersEveryMs: 1_000, staleEveryMs: 1_000, idleEveryMs: 1_000 } },
      );
      const started = await h.waitForState('fparity', (s) => s.status === 'RUNNING' && s.eventsProcessed > 0, 'start');
      // Subscribed before the first price: a probe trade repeated across a wall-clock boundary of
      // the interval would close a candle in replay mode that the backtest never saw.
      await eventually(
        async () => {
          if (!h.exchange.listening.market('btcusdt@kline_15m')) throw new Error('kline stream not subscribed yet');
        },
        30_000,
        250,
      );
      h.exchange.market.setPrice('BTCUSDT', cs[0]!.open);
      await futuresAgreement(h, 'fparity');
      for (const [i, c] of cs.entries()) {
        expect(h.exchange.market.replayNext()).toBe(true);
        await h.waitForState(
          'fparity',
          (s) => (s.strategyState as { rsi: { previous: number | null } }).rsi.previous === Number(c.close),
          `candle ${i + 1}`,
        );
        await futuresAgreement(h, 'fparity');
      }
      const s = await futuresAgreement(h, 'fparity');
      const mine = (id: string) => id.startsWith(`${started.clientIdTag}-`);
      const perp = h.exchange.futures.perp;
      expect(
        perp
          .allFills()
          .filter((f) => mine(f.clientOrderId))
          .map(fillRow),
      ).toEqual(bt.fills.map(fillRow));
      const algos = (acc: string) => perp.allAlgos(acc, 'BTCUSDT');
      expect(
        algos('paper')
          .filter((a) => mine(a.clientAlgoId))
          .map((a) => `${a.side} ${a.type} ${a.triggerPrice} ${a.closePosition} ${a.workingType} ${a.status}`),
      ).toEqual(
        bt.orders
          .filter((o) => o.tag === '__protect')
          .map(
            (o) =>
              `${o.request.side} STOP_MARKET ${o.request.stopPrice} true MARK_PRICE ${o.status === 'EXPIRED' ? 'EXPIRED' : o.status}`,
          ),
      );
      const funding = perp
        .incomes('paper', { incomeType: 'FUNDING_FEE', limit: 1000 })
        .map((r) => [r.time, Number(r.income)]);
      expect(funding).toEqual(bt.futures.fundingPayments.map((r) => [r.time, Number(r.income)]));
      expect(s.position.realizedPnl).toBe(bt.realizedPnl);
      expect(s.stats.roundTrips).toBe(bt.roundTrips.count);
      expect(perp.account('paper', 'USDT')!.walletBalance).toBe(bt.futures.walletBalance);
      expect(h.exchange.futures.audit.check(perp)).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
