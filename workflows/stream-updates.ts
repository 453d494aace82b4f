/**
 * Stream events as Workflow Updates: the fast durable path for candles and order reports.
 *
 * A signal costs three persistence commits before the bot's order activity starts (signal +
 * scheduled task, task started, task completed). An update is carried by a speculative workflow
 * task that the server never writes until it completes: its events, the acceptance and the
 * activity the bot schedules land in one commit (../shared/reference/control-plane-latency-
 * futures.md §1a). The handlers are the signals' own (./inbound.ts): same checks, same inbox.
 *
 * - A duplicate candle (another worker's relay, a catch-up) is refused by the validator: a refused
 *   update leaves no trace in the history, so duplicates cost nothing.
 * - An update is not durable before a worker accepts it: the sender (workers/stream-delivery.ts)
 *   waits a bounded time and falls back to the signal, which is queued durably. A duplicate that
 *   results is dropped like any other.
 * - Temporal allows 2,000 updates per run; a bot continues as new at 1,000 history events (at
 *   least 5 per accepted update), so it never comes near.
 */
import * as wf from '@temporalio/workflow';
import type { Candle } from '../core/market';
import type { OrderSnapshot } from '../core/orders';

export const candleUpdate = wf.defineUpdate<void, [Candle]>('deliverCandle');
export const orderReportUpdate = wf.defineUpdate<void, [OrderSnapshot]>('deliverOrderUpdate');

/** The validator's word for a candle the bot already has (the sender counts it as delivered). */
export const DUPLICATE_CANDLE = 'duplicate candle';

export interface StreamUpdateDeps {
  readonly candle: (args: readonly unknown[]) => void;
  readonly orderUpdate: (args: readonly unknown[]) => void;
  /** The open time of the last candle the bot acted on. */
  readonly lastCandleOpenTime: () => number | null;
}

export function registerStreamUpdates(deps: StreamUpdateDeps): void {
  wf.setHandler(candleUpdate, (...args: unknown[]) => deps.candle(args), {
    validator: (...args: unknown[]) => {
      const openTime = (args[0] as { openTime?: unknown } | null | undefined)?.openTime;
      const last = deps.lastCandleOpenTime();
      if (typeof openTime === 'number' && last !== null && openTime <= last) throw new Error(DUPLICATE_CANDLE);
    },
  });
  wf.setHandler(orderReportUpdate, (...args: unknown[]) => deps.orderUpdate(args));
}
