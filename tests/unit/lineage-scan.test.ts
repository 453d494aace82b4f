/**
 * After a Temporal reset the bot finds every order its discarded branch placed, however many:
 * the account's order history on the symbol is read since the start of the run the history
 * continues (paged the way Binance allows), a few orders are adopted per reconciliation, adopted
 * ones are not fetched again, and a reconciliation that fails keeps the scan pending.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RawOrder, RawTrade } from '../../activities/binance-types';
import { lineageOrders } from '../../activities/lineage';
import { ordersSince } from '../../activities/order-history';
import { lineageTag, mintClientOrderId } from '../../core/client-ids';
import { type BotEvent, type BotState, type Command, createBotState, step } from '../../core/kernel';
import { defineStrategy } from '../../core/strategy';
import { resetScanSince } from '../../core/lineage-scan';
import { KERNEL_FILTERS as FILTERS, T0 } from '../support/kernel-fixtures';

const HOUR = 3600_000;

/** allOrders as Binance documents it; a full window answers its newest 1,000 (the unhelpful choice). */
function fakeHistory(orders: RawOrder[]) {
  const calls: Record<string, unknown>[] = [];
  const list = async (p: Record<string, unknown>): Promise<RawOrder[]> => {
    calls.push(p);
    const limit = Number(p.limit ?? 500);
    const sorted = orders.filter((o) => o.symbol === p.symbol).sort((a, b) => a.orderId - b.orderId);
    if (p.orderId !== undefined) return sorted.filter((o) => o.orderId >= Number(p.orderId)).slice(0, limit);
    if (p.startTime !== undefined || p.endTime !== undefined) {
      const start = Number(p.startTime ?? 0);
      const end = Number(p.endTime ?? start + 24 * HOUR - 1);
      if (end - start >= 24 * HOUR)
        throw Object.assign(new Error('More than 24 hours between startTime and endTime.'), { code: -1127 });
      return sorted.filter((o) => o.time! >= start && o.time! <= end).slice(-limit);
    }
    return sorted.slice(-limit);
  };
  return { list, calls };
}

function order(orderId: number, clientOrderId: string, time: number, extra: Partial<RawOrder> = {}): RawOrder {
  return {
    symbol: 'BTCUSDT',
    orderId,
    clientOrderId,
    time,
    updateTime: time,
    price: '0',
    origQty: '0.01',
    executedQty: '0.01',
    cummulativeQuoteQty: '300',
    status: 'FILLED',
    type: 'MARKET',
    side: 'BUY',
    ...extra,
  };
}

describe('reading the order history since a time', () => {
  it('returns every order placed since, through full windows and pages, and nothing older', async () => {
    const orders: RawOrder[] = [];
    // 5,500 orders over three days, dense on the second day.
    for (let i = 0; i < 5_500; i++)
      orders.push(order(i + 1, `x-${i}`, T0 + (i < 500 ? i * 100_000 : 50 * HOUR + (i - 500) * 5_000)));
    const { list, calls } = fakeHistory(orders);
    const since = T0 + 20_000_000;
    const found = await ordersSince(list, 'BTCUSDT', since, T0 + 80 * HOUR);
    expect(found.complete).toBe(true);
    const want = orders.filter((o) => o.time! >= since).map((o) => o.orderId);
    expect(found.orders.map((o) => o.orderId).sort((a, b) => a - b)).toEqual(want);
    expect(calls.every((c) => c.limit === 1000)).toBe(true);
    expect(found.calls).toBeLessThan(15);
  });

  it('skips empty days, and stops at now', async () => {
    const { list } = fakeHistory([order(7, 'a-1', T0 + 3 * 24 * HOUR + 5)]);
    expect((await ordersSince(list as never, 'BTCUSDT', T0, T0 + 4 * 24 * HOUR)).orders.map((o) => o.orderId)).toEqual([
      7,
    ]);
    expect(await ordersSince(list as never, 'BTCUSDT', T0 + 4 * 24 * HOUR, T0 + 4 * 24 * HOUR + 10)).toMatchObject({
      orders: [],
      complete: true,
    });
  });
});

describe('a reset whose discarded branch placed many orders', () => {
  const idle = defineStrategy<Record<string, never>, Record<string, never>>({
    id: 'idle',
    title: 'test',
    description: 'test',
    params: z.object({}).strict(),
    init: () => ({}),
    onEvent: (state) => ({ state }),
  });

  it('adopts every one of them, a few per reconciliation, fetching none twice; a failed reconciliation keeps the scan', async () => {
    const tag = lineageTag({
      name: 'many',
      namespace: 'default',
      workflowId: 'bot-many',
      firstExecutionRunId: 'run-1',
    });
    let state: BotState = createBotState(
      {
        name: 'many',
        strategy: 'idle',
        symbol: 'BTCUSDT',
        interval: '1m',
        account: 'paper',
        params: {},
        onStop: 'cancel-orders',
        risk: {},
      },
      idle,
      T0,
      undefined,
      { tag, branch: 'BRNCH' },
    );
    const send = (event: BotEvent): Command[] => {
      const r = step(state, event, idle);
      state = r.state;
      return [...r.commands];
    };
    send({ type: 'start', now: T0, filters: FILTERS, fresh: true });
    send({ type: 'reconciled', now: T0, balances: { base: '0', quote: '100000' }, orphans: [], missing: [] });

    // The discarded branch (token OLDBR) bought 30 times; other bots traded on the symbol in between.
    const history: RawOrder[] = [];
    let id = 100;
    for (let seq = 1; seq <= 30; seq++) {
      for (let k = 0; k < 60; k++) history.push(order(id++, `other_AAAAABBBB-CCCCC${k}`, T0 + seq * 60_000 + k));
      history.push(order(id++, mintClientOrderId(tag, 'OLDBR', seq), T0 + seq * 60_000 + 100));
    }
    const { list } = fakeHistory(history);
    const myTrades: string[] = [];
    const rest = {
      allOrders: (p: Record<string, unknown>) => list(p),
      myTrades: async (p: { orderId: number }): Promise<RawTrade[]> => {
        const o = history.find((x) => x.orderId === p.orderId)!;
        myTrades.push(o.clientOrderId);
        return [
          {
            symbol: 'BTCUSDT',
            id: o.orderId * 10,
            orderId: o.orderId,
            price: '30000',
            qty: '0.01',
            quoteQty: '300',
            commission: '0',
            commissionAsset: 'USDT',
            time: o.time!,
            isBuyer: true,
            isMaker: false,
          },
        ];
      },
    };
    const reconcile = async (c: Extract<Command, { type: 'reconcile' }>) => {
      const lineage = {
        branch: state.idBranch!,
        ranges: state.idBranches ?? [],
        nextSeq: state.nextOrderSeq,
        scan: c.scan === true,
        ...(c.scanSince !== undefined ? { since: c.scanSince } : {}),
      };
      return lineageOrders(
        {} as never,
        'BTCUSDT',
        tag,
        lineage,
        [],
        new Set(),
        [],
        (_what, _weight, fn) => fn(rest as never) as never,
      );
    };

    // The Web UI's Reset, to a point in the run that started at T0.
    const commands = send({ type: 'reset', now: T0 + 40 * 60_000, branch: 'NEWBR', since: T0 });
    let cmd = commands.find((c): c is Extract<Command, { type: 'reconcile' }> => c.type === 'reconcile')!;
    expect(cmd).toMatchObject({ scan: true, scanSince: T0 - 5 * 60_000 });
    // The first reconciliation fails (e.g. the weight budget): the scan is not lost.
    send({ type: 'reconcileFailed', now: T0 + 40 * 60_000 + 1, message: 'RateLimited' });
    expect(state.scanPending).toBe(true);

    const resetAt = T0 + 40 * 60_000;
    let now = resetAt;
    for (let round = 0; round < 10 && (state.stats.adopted ?? 0) < 30; round++) {
      now = Math.max(now + 1, state.nextReconcileAt!);
      cmd = send({ type: 'wake', now }).find(
        (c): c is Extract<Command, { type: 'reconcile' }> => c.type === 'reconcile',
      )!;
      expect(cmd?.scan).toBe(true);
      const r = await reconcile(cmd);
      expect(r.foreign.length).toBeLessThanOrEqual(8);
      send({ type: 'reconciled', now, balances: null, missing: [], ...r });
    }
    expect(state.stats.adopted).toBe(30);
    expect(state.position.qty).toBe('0.3');
    expect(new Set(myTrades).size).toBe(myTrades.length);
    expect(state.scanPending).toBe(false);
    // Adopted ids are the bot's own now: a later scan finds nothing new.
    expect(state.idBranches!.filter((r) => r.branch === 'OLDBR')).toEqual([{ branch: 'OLDBR', from: 1, to: 31 }]);

    // One more scan follows the reset (an attempt of the discarded run may still have been under way).
    expect(now).toBeLessThan(resetAt + 90_000);
    history.push(order(id++, mintClientOrderId(tag, 'OLDBR', 31), resetAt + 500));
    expect(state.nextReconcileAt).toBe(resetAt + 90_000);
    now = resetAt + 90_000;
    cmd = send({ type: 'wake', now }).find(
      (c): c is Extract<Command, { type: 'reconcile' }> => c.type === 'reconcile',
    )!;
    expect(cmd.scan).toBe(true);
    send({ type: 'reconciled', now, balances: null, missing: [], ...(await reconcile(cmd)) });
    expect(state.stats.adopted).toBe(31);
    expect(state.position.qty).toBe('0.31');
  });
});

describe("where a reset's scan starts", () => {
  // The short torture: a BuildId batch reset to the first task of a run started at 17:19:52; the
  // reset run's first activation came at 17:26:29; a buy of 17:20:17 was outside the 5-minute margin.
  const runStart = Date.UTC(2026, 11, 1, 17, 26, 29);
  const chainStart = Date.UTC(2026, 11, 1, 17, 19, 52);
  it("a reset inside the run: the run's start", () => {
    expect(resetScanSince({ runStart, resetAtStart: false, chainStart, carriedLastEventTime: null })).toBe(runStart);
  });
  it("a reset to the first task of a first run: where the run the history continues began, not the reset's time", () => {
    expect(resetScanSince({ runStart, resetAtStart: true, chainStart, carriedLastEventTime: null })).toBe(chainStart);
  });
  it('a reset to the first task of a continued run: the end of the run it continued from', () => {
    const carried = Date.UTC(2026, 11, 1, 17, 24, 0);
    expect(resetScanSince({ runStart, resetAtStart: true, chainStart, carriedLastEventTime: carried })).toBe(carried);
  });
});
