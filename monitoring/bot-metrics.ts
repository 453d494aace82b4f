/**
 * The bots' figures as Prometheus metrics, read from Temporal when scraped (the same queries as
 * the control API's bot list): bots by status, orders placed / rejected / of unknown outcome,
 * fills, round trips, realised and unrealised PnL, win rate, position, open orders, last event.
 * Served by the control API's /metrics (api/metrics.ts). Answers are cached for a few seconds, so
 * a scrape every 15 s costs one query per bot.
 */
import type { Client } from '@temporalio/client';
import { Gauge, Registry } from 'prom-client';
import { d } from '../core/decimal';
import { mapLimit } from '../api/bots';
import { unrealizedOf } from '../api/views';
import { listBots } from '../client/bots';
import { BOT_STATUSES } from '../core/kernel';
import { type BotStateView, botWorkflowId, stateQuery } from '../workflows/messages';

export interface BotMetricsOptions {
  readonly client: Client;
  readonly taskQueue: string;
  readonly cacheMs?: number;
  readonly queryTimeoutMs?: number;
}

interface Reading {
  readonly at: number;
  readonly bots: ReadonlyArray<{ readonly name: string; readonly status: string; readonly view: BotStateView | null }>;
}

const num = (v: string | null | undefined): number => (v === null || v === undefined ? 0 : d(v).toNumber());

export function botMetrics(o: BotMetricsOptions, registry = new Registry()): Registry {
  let reading: Promise<Reading> | null = null;
  let last: Reading | null = null;
  const read = (): Promise<Reading> => {
    if (last && Date.now() - last.at < (o.cacheMs ?? 5_000)) return Promise.resolve(last);
    reading ??= (async () => {
      const listings = await listBots(o.client, false, o.taskQueue);
      const bots = await mapLimit(listings, 8, async (l) => {
        try {
          const view = await o.client.connection.withDeadline(Date.now() + (o.queryTimeoutMs ?? 5_000), () =>
            o.client.workflow.getHandle(botWorkflowId(l.name)).query(stateQuery),
          );
          return { name: l.name, status: view.status, view };
        } catch {
          return { name: l.name, status: l.botStatus || 'UNKNOWN', view: null };
        }
      });
      last = { at: Date.now(), bots };
      return last;
    })().finally(() => {
      reading = null;
    });
    return reading;
  };

  const perBot = (name: string, help: string, value: (v: BotStateView) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['bot', 'symbol'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const b of (await read()).bots) {
          if (!b.view) continue;
          const v = value(b.view);
          if (v !== null && Number.isFinite(v)) this.set({ bot: b.name, symbol: b.view.symbol }, v);
        }
      },
    });

  new Gauge({
    name: 'bots_bots',
    help: 'Running bot workflows by the bot status (RUNNING, PAUSED, STOPPING, ...; UNKNOWN: no answer to its query)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of [...BOT_STATUSES, 'UNKNOWN']) this.set({ status: s }, 0);
      for (const b of (await read()).bots) this.inc({ status: b.view ? b.status : 'UNKNOWN' }, 1);
    },
  });
  new Gauge({
    name: 'bots_bot_up',
    help: 'The bot answered its state query (1) or not (0)',
    labelNames: ['bot'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const b of (await read()).bots) this.set({ bot: b.name }, b.view ? 1 : 0);
    },
  });
  perBot('bots_bot_orders_placed_total', 'Orders the bot sent to the exchange', (v) => v.stats.ordersPlaced);
  perBot(
    'bots_bot_orders_rejected_total',
    'Orders refused (by the exchange, the risk guard, the filters or the circuit breaker)',
    (v) => v.stats.ordersRejected,
  );
  perBot(
    'bots_bot_orders_unknown',
    'Orders sent whose outcome the bot does not know yet',
    (v) => v.openOrders.filter((x) => x.status === 'SUBMITTING').length,
  );
  perBot('bots_bot_open_orders', 'Open orders of the bot', (v) => v.openOrders.length);
  perBot('bots_bot_fills_total', 'Fills received by the bot', (v) => v.stats.fills);
  perBot('bots_bot_round_trips_total', 'Completed trades (flat to flat)', (v) => v.stats.roundTrips);
  perBot('bots_bot_wins_total', 'Trades closed with a profit', (v) => v.stats.wins);
  perBot('bots_bot_win_rate', 'Share of trades closed with a profit (0-1)', (v) =>
    v.stats.roundTrips > 0 ? v.stats.wins / v.stats.roundTrips : null,
  );
  perBot('bots_bot_realized_pnl', 'Realised PnL in the quote asset', (v) => num(v.realizedPnl));
  perBot('bots_bot_unrealized_pnl', 'Unrealised PnL of the position at the last price, quote asset', (v) =>
    num(unrealizedOf(v)),
  );
  perBot('bots_bot_position_qty', 'Position in the base asset', (v) => num(v.position.qty));
  perBot('bots_bot_last_event_timestamp_seconds', 'When the bot last processed an event', (v) =>
    v.lastEventTime === null ? null : v.lastEventTime / 1000,
  );
  perBot(
    'bots_bot_circuit_breaker_open',
    'The account circuit breaker as the bot last heard of it: 1 not closed, 0 closed',
    (v) => (v.circuitBreaker && v.circuitBreaker.state !== 'closed' ? 1 : 0),
  );
  return registry;
}
