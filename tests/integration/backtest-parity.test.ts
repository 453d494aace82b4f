/**
 * Parity: the same strategy on the same candles places the same orders and gets the same fills in
 * the backtester and live — a bot workflow on the real Temporal dev server trading on the paper
 * exchange, which replays the candles one at a time. Live and backtest share the kernel, the
 * strategy code and the venue's matching; this checks that the runtime around them (activities,
 * user stream, reconciliation) and the backtest engine around them (core order of events within a
 * candle) agree.
 *
 * Lockstep: a candle is replayed only once the bot has processed the previous one and agrees with
 * the exchange (nothing in flight). Candles are dated in the near future so the kernel's candle
 * freshness check never asks the exchange for "missing" candles.
 *
 * What "the same" means: the same orders (side, type, quantity, prices, final status) and the same
 * fills at the same path instants (price, quantity, fee). Not compared: the order in which the bot
 * minted ids for reactions to fills of one instant. Live, the workflow runs the placements of one
 * reaction concurrently, so they can reach the exchange in any order, and orders crossed at the
 * same price point fill in the order they arrived (time priority): the fills of that instant then
 * reach the bot in another order than in the backtest, and its next ids follow that order.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BacktestResult, runBacktest } from '../../backtest/engine';
import { toCsv } from '../../backtest/download';
import { d, str } from '../../core/decimal';
import type { Candle } from '../../core/market';
import { findStrategy } from '../../core/strategies';
import { ZERO_SPREAD_BOOK } from '../../exchange';
import { Harness, eventually } from '../support/harness';

const dir = mkdtempSync(path.join(os.tmpdir(), 'backtest-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = readonly [number, number, number, number];

function futureCandles(rows: readonly Row[]): Candle[] {
  const start = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
  return rows.map(([o, h, l, c], i) => ({
    symbol: 'BTCUSDT',
    interval: '1m',
    openTime: start + i * 60_000,
    closeTime: start + (i + 1) * 60_000 - 1,
    open: o.toFixed(2),
    high: h.toFixed(2),
    low: l.toFixed(2),
    close: c.toFixed(2),
    volume: '40',
  }));
}

const norm = (v: string | undefined): string => (v === undefined || d(v).isZero() ? '-' : str(v));

interface Normalised {
  readonly orders: string[];
  readonly fills: string[];
  readonly position: string;
  readonly realizedPnl: string;
}

function fromBacktest(r: BacktestResult): Normalised {
  const orders = r.orders
    .filter((o) => o.status !== 'REJECTED')
    .map(
      (o) =>
        `${o.request.side} ${o.request.type} ${norm(o.request.quantity)} @${norm(o.request.price)} stop ${norm(o.request.stopPrice)} → ${o.status}`,
    )
    .sort();
  const fills = r.fills
    .map((f) => `${f.time} ${f.side} ${str(f.qty)}@${str(f.price)} fee ${str(f.commission)} ${f.commissionAsset}`)
    .sort();
  return { orders, fills, position: str(r.position.qty), realizedPnl: str(r.realizedPnl) };
}

async function live(h: Harness, name: string, tag: string): Promise<Normalised> {
  const s = await h.state(name);
  const mine = (id: string) => id.startsWith(`${tag}-`);
  const orders = h.exchange.venue
    .allOrders('paper', 'BTCUSDT', { limit: 1000 })
    .filter((o) => mine(o.clientOrderId))
    .map((o) => `${o.side} ${o.type} ${norm(o.origQty)} @${norm(o.price)} stop ${norm(o.stopPrice)} → ${o.status}`)
    .sort();
  const fills = h.exchange.venue
    .allFills()
    .filter((f) => f.accountId === 'paper' && mine(f.clientOrderId))
    .map((f) => `${f.time} ${f.side} ${str(f.qty)}@${str(f.price)} fee ${str(f.commission)} ${f.commissionAsset}`)
    .sort();
  return { orders, fills, position: str(s.position.qty), realizedPnl: str(s.position.realizedPnl) };
}

async function parity(
  name: string,
  strategyId: string,
  params: Record<string, unknown>,
  rows: readonly Row[],
): Promise<{ backtest: Normalised; live: Normalised; result: BacktestResult }> {
  const candles = futureCandles(rows);
  const file = path.join(dir, `${name}.csv`);
  writeFileSync(
    file,
    toCsv(candles.map((c) => ({ ...c, quoteVolume: '0', trades: 4, baseAssetVolume: '0', quoteAssetVolume: '0' }))),
  );
  const strategy = findStrategy(strategyId)!;
  const result = runBacktest({ strategy, params, candles, balances: { USDT: '10000', BTC: '0' } });

  // The backtester's default book (bid = ask = last, unlimited depth) on the exchange too: parity
  // of the runtimes, on the same venue model.
  const h = new Harness({
    balances: { USDT: '10000', BTC: '0' },
    exchange: {
      prices: { kind: 'replay', file, symbol: 'BTCUSDT', interval: '1m', manual: true },
      book: ZERO_SPREAD_BOOK,
    },
  });
  try {
    await h.start();
    await h.startWorker();
    await h.startBot(
      { name, strategy: strategyId, symbol: 'BTCUSDT', params: params as never },
      { reconcile: { openOrdersEveryMs: 2_000, staleEveryMs: 2_000, idleEveryMs: 2_000 } },
    );
    const started = await h.waitForState(name, (s) => s.status === 'RUNNING' && s.eventsProcessed > 0, 'start');
    // Both streams subscribed before the first price: a probe trade repeated across a wall-clock
    // minute would close that minute's candle in replay mode, a candle the backtest never saw (the
    // bot would enter on it). One trade at the first open: where the backtest's venue starts too.
    await eventually(
      async () => {
        if (!h.exchange.listening.market('btcusdt@kline_1m')) throw new Error('kline stream not subscribed yet');
        if (!h.exchange.listening.user('paper')) throw new Error('user stream not subscribed yet');
      },
      30_000,
      250,
    );
    h.exchange.market.setPrice('BTCUSDT', candles[0]!.open);
    await h.agreement(name);
    const candlesSeen = (s: Awaited<ReturnType<Harness['state']>>) => (s.strategyState as { candles: number }).candles;
    for (let i = 0; i < candles.length; i++) {
      expect(h.exchange.market.replayNext()).toBe(true);
      const s = await h.waitForState(
        name,
        (st) => candlesSeen(st) >= i + 1 || st.status === 'STOPPED',
        `candle ${i + 1}`,
      );
      await h.agreement(name);
      if (s.status === 'STOPPED') break;
    }
    const after = await h.agreement(name);
    expect(after.stats.ordersRejected).toBe(result.orders.filter((o) => o.status === 'REJECTED').length);
    expect(after.status).toBe(result.botStatus);
    return { backtest: fromBacktest(result), live: await live(h, name, started.clientIdTag), result };
  } finally {
    await h.stop();
  }
}

describe('backtest and live on the paper exchange agree', () => {
  it('smart trade: market entry, two OCO take-profits with a stop, one target and the stop fill', async () => {
    const params = {
      sizing: { mode: 'base', quantity: '1' },
      exits: {
        takeProfits: [
          { pct: '2', share: '50' },
          { pct: '5', share: '50' },
        ],
        stopLoss: { pct: '3' },
      },
    };
    const {
      backtest,
      live: paper,
      result,
    } = await parity('parity-smart', 'smart-trade', params, [
      [100, 100, 100, 100],
      [100, 103, 99.5, 102],
      [102, 102.5, 101, 101.5],
      [101.5, 102, 96, 97],
      [97, 98, 96.5, 97.5],
    ]);
    expect(result.fills.length).toBe(3);
    expect(paper).toEqual(backtest);
  });

  it('grid: set-up, gap through two levels, re-armed sells filling, buys again', async () => {
    const params = { low: '90', high: '110', levels: 5, quantity: '1' };
    const {
      backtest,
      live: paper,
      result,
    } = await parity('parity-grid', 'grid', params, [
      [101, 101, 101, 101],
      [101, 101, 92, 94],
      [94, 106, 94, 105],
      [105, 111, 104, 108],
      [108, 108, 99, 99.5],
      [99.5, 101, 98, 100.5],
    ]);
    expect(result.fills.length).toBeGreaterThanOrEqual(7);
    expect(paper).toEqual(backtest);
  });

  it('range breakout: the buy-stop leg of the OCO, exits, and a second round with repeat', async () => {
    const params = {
      top: '110',
      bottom: '90',
      pct: '1',
      repeat: true,
      sizing: { mode: 'base', quantity: '1' },
      exits: { takeProfits: [{ pct: '2', share: '100' }], stopLoss: { pct: '1' } },
    };
    const {
      backtest,
      live: paper,
      result,
    } = await parity('parity-range', 'range-breakout', params, [
      [100, 100, 100, 100],
      [100, 112, 99.5, 111.5],
      [111.5, 114, 111, 113.5],
      [113.5, 113.5, 105, 105],
      [105, 106, 88, 89.5],
      [89.5, 90, 86, 86.5],
    ]);
    expect(result.fills.length).toBeGreaterThanOrEqual(4);
    expect(paper).toEqual(backtest);
  });
});
