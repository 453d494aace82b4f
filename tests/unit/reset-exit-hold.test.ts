/**
 * After a reset, exits wait for the scan of the discarded branch's orders (core/reset-exit-hold.ts),
 * as the short torture found it twice (torture-twin-bot-a), with the torture's numbers (fee in BTC):
 *
 * - the new branch learnt two buys filled and, in the same reconciliation, the scan found the
 *   discarded branch's take-profit for one of them already FILLED; the strategy had asked for both
 *   take-profits first, both were marketable and filled at once: three sells for two lots;
 * - the new branch learnt a buy filled in the task that noticed the reset and placed its
 *   take-profit before the scan found the discarded branch's identical one resting.
 */
import { describe, expect, it } from 'vitest';
import type { BotState, Command } from '../../core/kernel';
import type { OrderRequest, OrderSnapshot } from '../../core/orders';
import { Decimal } from '../../core/decimal';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import {
  FINE_FILTERS,
  KernelBot,
  boughtWithBaseFee,
  T0,
  TAG,
  candle,
  lineageState,
  resting,
} from '../support/kernel-fixtures';

const bought = (clientOrderId: string, tradeId: number, time: number) =>
  boughtWithBaseFee(clientOrderId, time, tradeId);
const TP: OrderRequest = {
  symbol: 'BTCUSDT',
  side: 'SELL',
  type: 'LIMIT',
  quantity: '0.00199',
  price: '101',
  timeInForce: 'GTC',
};
const sold = (clientOrderId: string, time: number): OrderSnapshot => ({
  clientOrderId,
  symbol: 'BTCUSDT',
  status: 'FILLED',
  executedQty: '0.00199',
  cumulativeQuoteQty: '0.2',
  updateTime: time,
  fills: [
    {
      tradeId: 99,
      price: '101',
      qty: '0.00199',
      quoteQty: '0.20099',
      commission: '0.0002',
      commissionAsset: 'USDT',
      time,
      isMaker: true,
    },
  ],
});
class Bot extends KernelBot {
  constructor(rules: boolean, everyCandles = 1, heldExitRules = false) {
    const s = lineageState(dcaTakeProfit, { everyCandles, quantity: '0.002', takeProfitPct: '1', maxLots: 3 });
    super(rules ? { ...s, resetRules: 2, ...(heldExitRules ? { heldExitRules: 1 as const } : {}) } : s, dcaTakeProfit);
    this.begin(FINE_FILTERS, { base: '1', quote: '1000' });
  }
  /** The reconciliation that carries the reset's scan: its lookups' snapshots first (as workflows/bot.ts delivers them), then its foreign orders. */
  reconcile(
    now: number,
    snapshots: OrderSnapshot[],
    foreign: Array<{ snapshot: OrderSnapshot; request: OrderRequest; time: number }>,
  ): Command[] {
    const all: Command[] = [];
    for (const snapshot of snapshots)
      all.push(...this.send({ type: 'orderUpdate', now, snapshot, source: 'reconcile' }));
    all.push(...this.send({ type: 'reconciled', now, balances: null, orphans: [], missing: [], foreign }));
    this.last = all;
    return all;
  }
  /** A reset: the kernel asks at once for the reconciliation that carries the scan. */
  reset(now: number): void {
    const cmds = this.send({ type: 'reset', now, branch: 'DDDDD', since: T0 });
    expect(cmds.some((c) => c.type === 'reconcile' && c.scan === true)).toBe(true);
  }
}

const restingSells = (s: BotState) =>
  Object.values(s.orders)
    .filter(
      (o) =>
        o.request.side === 'SELL' &&
        !['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED'].includes(o.status) &&
        !o.cancelRequested,
    )
    .reduce((n, o) => n.plus(o.request.quantity!).minus(o.executedQty), new Decimal(0));

/** Two buys sent; a reset comes before their outcomes are known (ids move to branch DDDDD). */
function twoBuysThenReset(rules: boolean): { bot: Bot; buys: string[] } {
  const bot = new Bot(rules);
  bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
  const [b1] = bot.placements();
  bot.send({ type: 'candle', now: T0 + 120_000, candle: candle(1) });
  const [b2] = bot.placements();
  bot.reset(T0 + 121_000);
  return { bot, buys: [b1!.clientOrderId, b2!.clientOrderId] };
}

describe('exits after a reset wait for the scan', () => {
  it("two buys and the discarded branch's executed take-profit in one reconciliation: one take-profit sent, the other is the executed one", () => {
    const { bot, buys } = twoBuysThenReset(true);
    const cmds = bot.reconcile(
      T0 + 125_000,
      [bought(buys[0]!, 1, T0 + 120_100), bought(buys[1]!, 2, T0 + 120_200)],
      [{ snapshot: sold(`${TAG}-CCCCC3`, T0 + 121_500), request: TP, time: T0 + 121_400 }],
    );
    const sells = cmds.filter(
      (c): c is Extract<Command, { type: 'placeOrder' }> => c.type === 'placeOrder' && c.request.side === 'SELL',
    );
    expect(sells).toHaveLength(1);
    expect(sells[0]!.request).toMatchObject(TP);
    // Two lots bought (0.003996 held after fees), one sold by the adopted order: 0.002006 held, 0.00199 resting.
    expect(bot.state.position.qty).toBe('0.002006');
    expect(restingSells(bot.state).toFixed()).toBe('0.00199');
    expect(bot.state.heldExits).toBeUndefined();
    expect(bot.state.notifications.map((n) => n.message).join('\n')).toMatch(
      /the same exit is already on the exchange/,
    );
  });

  it('without the rules (a state from before the patch) both take-profits go out before the adoption, as recorded histories did', () => {
    const { bot, buys } = twoBuysThenReset(false);
    const cmds = bot.reconcile(
      T0 + 125_000,
      [bought(buys[0]!, 1, T0 + 120_100), bought(buys[1]!, 2, T0 + 120_200)],
      [{ snapshot: sold(`${TAG}-CCCCC3`, T0 + 121_500), request: TP, time: T0 + 121_400 }],
    );
    expect(cmds.filter((c) => c.type === 'placeOrder' && c.request.side === 'SELL')).toHaveLength(2);
  });

  it("a fill learnt before the scan: its take-profit waits, then is the discarded branch's resting one (nothing sent, nothing to cancel)", () => {
    const bot = new Bot(true);
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const [buy] = bot.placements();
    bot.reset(T0 + 61_000);
    // The task that noticed the reset also delivers the buy's answer: no take-profit sent yet.
    expect(
      bot
        .send({ type: 'orderPlaced', now: T0 + 61_100, snapshot: bought(buy!.clientOrderId, 1, T0 + 60_500) })
        .filter((c) => c.type === 'placeOrder'),
    ).toEqual([]);
    expect(bot.state.heldExits?.map((i) => i.tag)).toEqual(['tp-1']);
    const cmds = bot.reconcile(
      T0 + 63_000,
      [],
      [{ snapshot: resting(`${TAG}-CCCCC2`, T0 + 60_700), request: TP, time: T0 + 60_700 }],
    );
    expect(cmds.filter((c) => c.type === 'placeOrder' || c.type === 'cancelOrder')).toEqual([]);
    const sells = Object.values(bot.state.orders).filter((o) => o.request.side === 'SELL');
    expect(sells).toMatchObject([{ clientOrderId: `${TAG}-CCCCC2`, tag: 'tp-1', status: 'NEW', bound: true }]);
    expect(restingSells(bot.state).lte(bot.state.position.qty)).toBe(true);
  });

  it("three lots, two at one price, whose two take-profits the discarded branch sold: held together, the two bind the twins and only the third lot's goes out", () => {
    // The short torture's bot-torture-6 (two lots at 2007.35, one at 2005.07) in the fixtures' numbers.
    const run = (heldExitRules: boolean) => {
      const bot = new Bot(true, 1, heldExitRules);
      const buys: string[] = [];
      for (const [i, close] of [
        [0, '100'],
        [1, '100'],
        [2, '99'],
      ] as const) {
        bot.send({ type: 'candle', now: T0 + (i + 1) * 60_000, candle: candle(i, close) });
        buys.push(bot.placements()[0]!.clientOrderId);
      }
      bot.reset(T0 + 181_000);
      const at100 = bought(buys[2]!, 3, T0 + 180_300);
      const third: OrderSnapshot = {
        ...at100,
        cumulativeQuoteQty: '0.198',
        fills: [{ ...at100.fills![0]!, price: '99', quoteQty: '0.198' }],
      };
      const cmds = bot.reconcile(
        T0 + 185_000,
        [bought(buys[0]!, 1, T0 + 60_100), bought(buys[1]!, 2, T0 + 120_100), third],
        [
          { snapshot: sold(`${TAG}-CCCCC4`, T0 + 181_500), request: TP, time: T0 + 181_400 },
          { snapshot: sold(`${TAG}-CCCCC5`, T0 + 181_600), request: TP, time: T0 + 181_450 },
        ],
      );
      const sells = cmds.filter(
        (c): c is Extract<Command, { type: 'placeOrder' }> => c.type === 'placeOrder' && c.request.side === 'SELL',
      );
      return { bot, sells };
    };
    const { bot, sells } = run(true);
    // Three lots held (0.005994 after fees), two sold by the adopted take-profits: 0.002014 held.
    expect(bot.state.position.qty).toBe('0.002014');
    expect(sells.map((c) => c.request.price)).toEqual(['99.99']);
    expect(restingSells(bot.state).lte(bot.state.position.qty)).toBe(true);
    const bound = Object.values(bot.state.orders).filter((o) => o.bound === true);
    expect(bound.map((o) => [o.tag, o.clientOrderId]).sort()).toEqual([
      ['tp-1', `${TAG}-CCCCC4`],
      ['tp-2', `${TAG}-CCCCC5`],
    ]);
    // Without the rule (histories from before its patch), one at a time: tp-1 went out and the lot was sold twice.
    const before = run(false);
    expect(before.sells.map((c) => c.request.price)).toEqual(['101', '99.99']);
    expect(restingSells(before.bot.state).gt(before.bot.state.position.qty)).toBe(true);
  });

  it('a scan that finds nothing releases the held take-profit: it is sent', () => {
    const bot = new Bot(true);
    bot.send({ type: 'candle', now: T0 + 60_000, candle: candle(0) });
    const [buy] = bot.placements();
    bot.reset(T0 + 61_000);
    bot.send({ type: 'orderPlaced', now: T0 + 61_100, snapshot: bought(buy!.clientOrderId, 1, T0 + 60_500) });
    const cmds = bot.reconcile(T0 + 63_000, [], []);
    const sells = cmds.filter((c): c is Extract<Command, { type: 'placeOrder' }> => c.type === 'placeOrder');
    expect(sells.map((c) => [c.clientOrderId, c.request.quantity])).toEqual([[`${TAG}-DDDDD2`, '0.00199']]);
  });
});
