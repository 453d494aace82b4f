/**
 * How the stream service hands a candle or an order report to a bot: as a Workflow Update (one
 * persistence commit before the bot's order goes out, instead of a signal's three; see
 * workflows/stream-updates.ts), falling back to the signal whenever the update is not known to be
 * accepted — or as a signal only. Chosen per kind (DEFAULT_DELIVERY: both by signal as shipped):
 *
 * - Order reports by update: a fill's reaction (the take-profit) is 13× the non-durable handler
 *   instead of 22× at p50, and a few reports per order add little history.
 * - Candles by signal: an accepted update writes UpdateAccepted + UpdateCompleted beside the
 *   workflow task's three events where a signal writes one Signaled, so every silent 1m candle
 *   costs 5 events instead of 4 — measured 60 × 5 + one poll ≈ 311 events per bot-hour, over the
 *   300 the history budget allows (bench/README.md). STREAM_DELIVERY=update|signal forces one path
 *   for both kinds.
 *
 * - The update id is derived from the event, so a resend — by this worker or another relaying the
 *   same stream — is deduplicated by the server within the bot's run.
 * - An update is durable only once a worker accepted it. If none does within `acceptWithinMs` (no
 *   worker polls the bot's queue, the bot's task is failing), or anything else goes wrong, the
 *   signal is sent: it is queued durably and read once a worker runs. The bot drops what it
 *   already has, so the odd double delivery is harmless.
 * - A bot on an older bundle without the update handler refuses it as unknown: signal again.
 */
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Candle } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import { ConfigError } from './config';
import { candleSignal, orderUpdateSignal } from '../workflows/messages';
import { DUPLICATE_CANDLE, candleUpdate, orderReportUpdate } from '../workflows/stream-updates';

export type DeliveryMode = 'update' | 'signal';

export interface DeliveryModes {
  readonly candles: DeliveryMode;
  readonly orderReports: DeliveryMode;
}

/**
 * Both by signal as shipped. Order reports by update were faster (above), but a 250-kill torture
 * on SDK 1.24.0 wedged two bots: a workflow task timed out (worker killed) while updates were in
 * flight, the server wrote them as UpdateAdmitted, and the next worker's replay of that history
 * ordered the update completions and the activities differently from the first execution
 * (nondeterminism, "Activity machine does not handle this event: WorkflowExecutionUpdateCompleted";
 * the SDK's, see temporalio/sdk-rust#943). tests/integration/update-replay-nde.test.ts keeps that
 * history: when it replays cleanly on a newer SDK, order reports can go back to updates.
 */
export const DEFAULT_DELIVERY: DeliveryModes = { candles: 'signal', orderReports: 'signal' };

/** STREAM_DELIVERY: unset or empty = per kind (DEFAULT_DELIVERY); `update` or `signal` = that path for both. */
export function deliveryFromEnv(value: string | undefined): DeliveryModes {
  const v = value?.trim() ?? '';
  if (v === '') return DEFAULT_DELIVERY;
  if (v === 'update' || v === 'signal') return { candles: v, orderReports: v };
  throw new ConfigError(
    `STREAM_DELIVERY: "${value}" is not one of update, signal (or unset: candles and order reports by signal)`,
  );
}

export type Delivered = 'update' | 'duplicate' | 'signal';

export function candleUpdateId(c: Candle): string {
  return `candle/${c.symbol}/${c.interval}/${c.openTime}`;
}

export function orderReportUpdateId(s: OrderSnapshot): string {
  const trades = (s.fills ?? []).map((f) => f.tradeId).join(',');
  return `order/${s.clientOrderId}/${s.status}/${s.executedQty}/${s.updateTime}/${trades}`;
}

export class StreamDelivery {
  constructor(
    private readonly client: Client,
    private readonly modes: DeliveryModes = DEFAULT_DELIVERY,
    private readonly acceptWithinMs = 5_000,
  ) {}

  candle(workflowId: string, candle: Candle): Promise<Delivered> {
    return this.deliver(
      workflowId,
      this.modes.candles,
      (h) => h.executeUpdate(candleUpdate, { args: [candle], updateId: candleUpdateId(candle) }),
      (h) => h.signal(candleSignal, candle),
    );
  }

  orderReport(workflowId: string, snapshot: OrderSnapshot): Promise<Delivered> {
    return this.deliver(
      workflowId,
      this.modes.orderReports,
      (h) => h.executeUpdate(orderReportUpdate, { args: [snapshot], updateId: orderReportUpdateId(snapshot) }),
      (h) => h.signal(orderUpdateSignal, snapshot),
    );
  }

  /** Throws WorkflowNotFoundError when the bot is gone, and whatever the signal throws. */
  private async deliver(
    workflowId: string,
    mode: DeliveryMode,
    update: (h: Handle) => Promise<void>,
    signal: (h: Handle) => Promise<void>,
  ): Promise<Delivered> {
    const handle = this.client.workflow.getHandle(workflowId);
    if (mode === 'update') {
      try {
        await this.client.withDeadline(Date.now() + this.acceptWithinMs, () => update(handle));
        return 'update';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw err;
        if (err instanceof WorkflowUpdateFailedError && messageOf(err.cause) === DUPLICATE_CANDLE) return 'duplicate';
        // Not known to be accepted: the durable path.
      }
    }
    await signal(handle);
    return 'signal';
  }
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

function messageOf(err: unknown): string | undefined {
  return (err as { message?: string } | undefined)?.message;
}
