/**
 * The runs `npm run record:histories` records, one per kind of workflow history the replay test
 * must keep covering (tests/integration/replay.test.ts checks each is there):
 *
 * - `dca`: dca-take-profit on BTCUSDT — market buys and take-profit limits filled, pause / resume,
 *   a setParams update, circuit-breaker signals (one malformed), several continue-as-new;
 * - `oco`: smart-trade — a market entry, then two take-profit levels each as one SELL OCO order
 *   list (LIMIT_MAKER + STOP_LOSS), filled one after the other, the bot stopping itself;
 * - `warmup`: rsi-dip on ETHUSDT — a declared warm-up (a `candles` data request answered from the
 *   walk exchange's history), a dip bought at market, its take-profit / stop-loss OCO filled;
 * - `portfolio`: macd-portfolio over BTCUSDT, ETHUSDT and BNBUSDT — `candles` data requests per
 *   symbol, market buys on several symbols, a second daily check run on demand (`runNow`).
 *
 * Each drives the paper exchange by hand and waits on the bot's state, never on time alone.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { BotDefinition } from '../../core/bot-definition';
import type { OrderRecord } from '../../core/orders';
import type { startPaperExchange } from '../../exchange';
import { circuitBreakerSignal } from '../../workflows/circuit';
import { runNowUpdate } from '../../workflows/control';
import {
  type BotStateView,
  type RuntimeOptions,
  pauseSignal,
  resumeSignal,
  setParamsUpdate,
  stateQuery,
} from '../../workflows/messages';

export type PaperExchange = Awaited<ReturnType<typeof startPaperExchange>>;

export interface ScenarioContext {
  readonly client: Client;
  readonly handle: WorkflowHandle;
  /** Manual prices: candles close only when told to (BTCUSDT, ETHUSDT, BNBUSDT). */
  readonly manual: PaperExchange;
  /** A random walk that never ticks during a recording, with 300 closed candles of history per interval. */
  readonly walk: PaperExchange;
}

export interface Scenario {
  /** Bot name: the histories are `<name>-<time>-<status>.json`, replayed under `bot-<name>`. */
  readonly definition: BotDefinition;
  readonly options: Omit<RuntimeOptions, 'maxCandleLeadMs'>;
  readonly drive: (ctx: ScenarioContext) => Promise<void>;
}

export async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the bot's state satisfies `ok` (and nothing is being placed), printing it on a timeout. */
async function waitFor(
  handle: WorkflowHandle,
  ok: (s: BotStateView) => boolean,
  what: string,
  ms = 30_000,
): Promise<BotStateView> {
  try {
    return await until(
      async () => {
        const s = await handle.query(stateQuery);
        return ok(s) && !s.openOrders.some((o) => o.status === 'SUBMITTING') ? s : undefined;
      },
      what,
      ms,
    );
  } catch (e) {
    const s = await handle.query(stateQuery);
    console.error(
      JSON.stringify({
        what,
        status: s.status,
        gen: s.generation,
        ev: s.eventsProcessed,
        st: s.strategyState,
        open: s.openOrders.map((o) => [o.tag, o.request.type, o.status]),
        notes: s.notifications.slice(-5),
      }),
    );
    throw e;
  }
}

/** The bot is running and its market stream is subscribed. */
async function started(handle: WorkflowHandle): Promise<void> {
  await waitFor(handle, (s) => s.eventsProcessed >= 2, 'start');
  await sleep(3_000); // stream subscription
}

const limitMakers = (s: BotStateView): OrderRecord[] =>
  s.openOrders.filter((o) => o.request.type === 'LIMIT_MAKER' && o.status === 'NEW');

const base = { account: 'paper', market: 'spot', onStop: 'cancel-orders', risk: {}, interval: '1m' } as const;

const dca: Scenario = {
  definition: {
    ...base,
    name: 'recorded-dca',
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '0.5', maxLots: 2 },
  },
  options: { continueAsNewAfterEvents: 20 },
  async drive({ manual, handle }) {
    manual.market.setPrice('BTCUSDT', '30000');
    await started(handle);
    const prices = ['30000', '30100', '30250', '29900', '30400', '30600', '30050', '30500'];
    for (const [i, price] of prices.entries()) {
      manual.market.setPrice('BTCUSDT', price);
      manual.market.closeCandle('BTCUSDT', '1m');
      await waitFor(handle, (s) => (s.strategyState as { candlesSeen: number }).candlesSeen === i + 1, `candle ${i}`);
      if (i === 2) await handle.signal(pauseSignal);
      if (i === 3) await handle.signal(resumeSignal);
      if (i === 4) await handle.executeUpdate(setParamsUpdate, { args: [{ takeProfitPct: '0.8' }] });
      // The worker's word on the account's circuit breaker (issue 15), and a malformed one it drops.
      if (i === 5) {
        const now = Date.now();
        await handle.signal(circuitBreakerSignal, {
          account: 'paper',
          state: 'open',
          consecutiveFailures: 5,
          openedAt: now,
          since: now,
          lastError: 'HTTP502 (recorded)',
          opens: 1,
        });
        await handle.signal(circuitBreakerSignal, 'open' as never);
      }
      if (i === 6)
        await handle.signal(circuitBreakerSignal, {
          account: 'paper',
          state: 'closed',
          consecutiveFailures: 0,
          openedAt: null,
          since: Date.now(),
          lastError: null,
          opens: 1,
        });
    }
  },
};

const oco: Scenario = {
  definition: {
    ...base,
    name: 'recorded-smart-trade-oco',
    strategy: 'smart-trade',
    symbol: 'BTCUSDT',
    params: {
      entry: { type: 'market' },
      sizing: { mode: 'base', quantity: '0.02' },
      exits: {
        takeProfits: [
          { pct: '1', share: '50' },
          { pct: '2', share: '50' },
        ],
        stopLoss: { pct: '3' },
      },
    },
  },
  options: { continueAsNewAfterEvents: 5 },
  async drive({ manual, handle }) {
    manual.market.setPrice('BTCUSDT', '30000');
    await started(handle);
    manual.market.closeCandle('BTCUSDT', '1m');
    // Two OCO lists of two legs each, resting on the exchange.
    const resting = await waitFor(
      handle,
      (s) => s.openOrders.length === 4 && s.openOrders.every((o) => o.status === 'NEW' && o.listClientOrderId),
      'two OCO lists resting',
    );
    const targets = limitMakers(resting)
      .map((o) => Number(o.request.price))
      .sort((a, b) => a - b);
    // A candle in between (the run may continue as new with the lists resting).
    manual.market.setPrice('BTCUSDT', '30050');
    manual.market.closeCandle('BTCUSDT', '1m');
    // The first take-profit fills; the exchange expires its stop leg.
    manual.market.setPrice('BTCUSDT', String(Math.ceil(targets[0]! + 10)));
    await waitFor(handle, (s) => s.openOrders.length === 2 && limitMakers(s).length === 1, 'first take-profit filled');
    manual.market.closeCandle('BTCUSDT', '1m');
    manual.market.setPrice('BTCUSDT', String(Math.ceil(targets[1]! + 10)));
    await waitFor(handle, (s) => s.openOrders.length === 0 && s.status === 'STOPPED', 'second take-profit filled');
  },
};

const warmup: Scenario = {
  definition: {
    ...base,
    account: 'walk',
    name: 'recorded-rsi-dip-warmup',
    strategy: 'rsi-dip',
    symbol: 'ETHUSDT',
    params: {
      rsiPeriod: 14,
      oversold: 30,
      sizing: { mode: 'base', quantity: '0.5' },
      exits: { takeProfits: [{ pct: '1.5', share: '100' }], stopLoss: { pct: '3' } },
      repeat: false,
    },
  },
  options: { continueAsNewAfterEvents: 5 },
  // The walk's 300 closed candles of history are in the past: the warm-up gets them all (manual
  // candles run ahead of the wall clock, and the exchange activity keeps closed candles only).
  async drive({ walk, handle }) {
    const dip = (s: BotStateView) => s.strategyState as { warm: boolean; phase: string; rsi: { previous: number } };
    await waitFor(handle, (s) => dip(s).warm, 'warm-up answered');
    await sleep(3_000); // stream subscription
    // The dip: closes falling 0.6 % a candle until the RSI is under 30 and the bot buys.
    let price = Number(walk.market.price('ETHUSDT'));
    for (let i = 0; i < 12; i++) {
      price = Math.round(price * 0.994 * 100) / 100;
      walk.market.setPrice('ETHUSDT', String(price));
      walk.market.closeCandle('ETHUSDT', '1m');
      // Folded: the RSI's last close is this candle's.
      const s = await waitFor(handle, (x) => dip(x).rsi.previous === price, `dip candle ${i}`);
      if (dip(s).phase !== 'watching') break;
    }
    const resting = await waitFor(
      handle,
      (s) => s.openOrders.length === 2 && s.openOrders.every((o) => o.status === 'NEW' && o.listClientOrderId),
      'take-profit / stop-loss OCO resting',
    );
    const target = Number(limitMakers(resting)[0]!.request.price);
    walk.market.closeCandle('ETHUSDT', '1m');
    walk.market.setPrice('ETHUSDT', String(Math.ceil(target + 1)));
    await waitFor(handle, (s) => s.openOrders.length === 0 && s.status === 'STOPPED', 'take-profit filled');
  },
};

const portfolio: Scenario = {
  definition: {
    ...base,
    account: 'walk',
    interval: '1d',
    name: 'recorded-macd-portfolio',
    strategy: 'macd-portfolio',
    symbol: 'BTCUSDT',
    params: {
      symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
      dryRun: false,
      mode: 'trend',
      runOnStart: true,
      historyDays: 40,
    },
  },
  options: { continueAsNewAfterEvents: 5 },
  async drive({ handle }) {
    type Macd = { decisions: { action: string; reason: string }[]; holdings: Record<string, string> };
    const macd = (s: BotStateView) => s.strategyState as Macd;
    const daily = (s: BotStateView) => macd(s).decisions.filter((d) => d.action === 'daily').length;
    const first = await waitFor(
      handle,
      (s) => daily(s) >= 1 && s.openOrders.length === 0 && s.activitiesInFlight === 0,
      'first daily check and its orders',
      60_000,
    );
    const bought = Object.keys(macd(first).holdings);
    console.log(`  macd-portfolio: ${macd(first).decisions.find((d) => d.action === 'daily')?.reason}`);
    if (bought.length < 2) throw new Error(`only ${bought.length} symbol(s) bought: the recording needs several`);
    // Seed 002's POST app/market: the daily check again, on demand (holdings kept: no second buy).
    await handle.executeUpdate(runNowUpdate);
    await waitFor(handle, (s) => daily(s) >= 2 && s.activitiesInFlight === 0, 'second daily check', 60_000);
  },
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = { dca, oco, warmup, portfolio };
