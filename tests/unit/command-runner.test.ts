/**
 * The bot workflow's command runner (workflows/command-runner.ts) and its queue vocabulary
 * (workflows/queue-items.ts), without a Temporal server: each command's activity is called at
 * once (scheduled in the kernel's order), its outcome comes back as kernel events, and failures
 * are read with the SDK's classes (an ActivityFailure wrapping an ApplicationFailure with a type).
 */
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { BotState } from '../../core/kernel';
import type { OrderSnapshot } from '../../core/orders';
import { type CommandRunnerDeps, createCommandRunner } from '../../workflows/command-runner';
import { FailureType } from '../../workflows/failure-types';
import { blockedFromFailure } from '../../workflows/blocked';
import { failureMessage, placementFailure } from '../../workflows/failures';
import { kernelEvent } from '../../workflows/queue-items';
import type { ResetWatch } from '../../workflows/reset-detection';
import type { VenueActivities } from '../../workflows/venue-acts';

const STATE = {
  setup: { account: 'paper', symbol: 'BTCUSDT' },
  clientIdTag: 'bot',
  nextOrderSeq: 1,
} as unknown as BotState;

const snapshot = (clientOrderId: string): OrderSnapshot =>
  ({ clientOrderId, status: 'CANCELED', executedQty: '0', cummulativeQuoteQty: '0' }) as unknown as OrderSnapshot;

const activityFailure = (cause: Error) =>
  new ActivityFailure('Activity task failed', 'cancelOrder', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

function runner(venue: Partial<VenueActivities>, noted: unknown[] = [], calls: string[] = []) {
  const deps: CommandRunnerDeps = {
    state: () => STATE,
    venue: venue as VenueActivities,
    placeOco: () => Promise.reject(new Error('not used')),
    fetchData: (i) => {
      calls.push(`fetch ${i.account}`);
      return Promise.resolve({ value: 42 });
    },
    resets: {} as ResetWatch,
    noteExchange: (err) => void noted.push(err),
  };
  return createCommandRunner(deps);
}

describe('the command runner', () => {
  it('calls each activity before its first await, so activities are scheduled in the kernel order', async () => {
    const calls: string[] = [];
    const run = runner(
      {
        cancelOrder: (i) => {
          calls.push(`cancel ${i.clientOrderId}`);
          return Promise.resolve(snapshot(i.clientOrderId));
        },
      },
      [],
      calls,
    );
    const a = run({ type: 'cancelOrder', clientOrderId: 'a', symbol: 'BTCUSDT' });
    const b = run({ type: 'fetch', requestId: 'r1', request: { kind: 'x' } as never });
    const c = run({ type: 'cancelOrder', clientOrderId: 'c', symbol: 'BTCUSDT' });
    expect(calls).toEqual(['cancel a', 'fetch paper', 'cancel c']);
    expect(await a).toEqual([{ type: 'orderUpdate', snapshot: snapshot('a'), source: 'cancel' }]);
    expect(await b).toEqual([{ type: 'data', requestId: 'r1', result: { value: 42 } }]);
    await c;
  });

  it('turns a cancel outcome into the kernel event it means', async () => {
    const missing = runner({
      cancelOrder: () => Promise.resolve({ clientOrderId: 'a', missing: true as const, message: 'no such order' }),
    });
    expect(await missing({ type: 'cancelOrder', clientOrderId: 'a', symbol: 'BTCUSDT' })).toEqual([
      { type: 'orderMissing', clientOrderId: 'a', message: 'no such order' },
    ]);
    const refused = runner({
      cancelOrder: () =>
        Promise.reject(activityFailure(ApplicationFailure.nonRetryable('cancel refused (-2011)', 'OrderRejected'))),
    });
    expect(await refused({ type: 'cancelOrder', clientOrderId: 'a', symbol: 'BTCUSDT' })).toEqual([
      { type: 'cancelRejected', clientOrderId: 'a', message: 'cancel refused (-2011)' },
    ]);
  });

  it('gives what the exchange holds first, then the verdict, and tells the start gate either way', async () => {
    const noted: unknown[] = [];
    const ok = runner(
      {
        reconcile: () =>
          Promise.resolve({
            snapshots: [snapshot('a'), snapshot('b')],
            missing: ['c'],
            absent: [],
            balances: null,
            orphans: [],
            foreign: [],
            inherited: [],
            scanIncomplete: false,
          }),
      },
      noted,
    );
    const items = await ok({ type: 'reconcile', clientOrderIds: ['a', 'b', 'c'], orders: [] });
    expect(items.map((i) => i.type)).toEqual(['orderUpdate', 'orderUpdate', 'reconciled']);
    expect(items[2]).toMatchObject({ type: 'reconciled', missing: ['c'] });
    expect(noted).toEqual([null]);

    const err = activityFailure(ApplicationFailure.nonRetryable('API key refused', FailureType.CredentialsRejected));
    const failed = runner({ reconcile: () => Promise.reject(err) }, noted);
    expect(await failed({ type: 'reconcile', clientOrderIds: [], orders: [] })).toEqual([
      { type: 'reconcileFailed', message: 'API key refused' },
    ]);
    expect(noted).toEqual([null, err]);
  });

  it('runs no activity for a notice', async () => {
    expect(await runner({})({ type: 'notify', level: 'info', message: 'hello' })).toEqual([]);
  });
});

describe('failures read with the SDK classes', () => {
  it('a refusal of this very request is proof; a timeout is not', () => {
    const refused = ApplicationFailure.create({
      type: FailureType.OrderRejected,
      nonRetryable: true,
      message: 'order rejected by the exchange (-2010): insufficient balance',
      details: [{ code: '-2010', message: 'insufficient balance', refused: true }],
    });
    expect(placementFailure(activityFailure(refused))).toEqual({
      kind: 'rejected',
      code: '-2010',
      message: 'insufficient balance',
    });
    const collision = ApplicationFailure.nonRetryable('taken', FailureType.ClientIdCollision);
    expect(placementFailure(activityFailure(collision))).toMatchObject({ kind: 'collision' });
    const timeout = activityFailure(
      new TimeoutFailure('activity ScheduleToClose timeout', undefined, 'SCHEDULE_TO_CLOSE'),
    );
    expect(placementFailure(timeout)).toEqual({
      kind: 'unknown',
      message: 'failure: activity ScheduleToClose timeout',
    });
    expect(failureMessage(timeout)).toBe('activity ScheduleToClose timeout');
  });

  it('a refused key blocks the bot; an order refused does not', () => {
    const key = activityFailure(ApplicationFailure.nonRetryable('key refused', FailureType.CredentialsRejected));
    expect(blockedFromFailure(key, 1)).toMatchObject({ kind: 'credentials', since: 1 });
    const order = activityFailure(ApplicationFailure.nonRetryable('balance', FailureType.OrderRejected));
    expect(blockedFromFailure(order, 1)).toBeNull();
  });
});

describe('queue items are kernel events without their time', () => {
  it('an activity outcome gets the time of the task that hands it over', () => {
    expect(kernelEvent({ type: 'orderMissing', clientOrderId: 'a', message: 'gone' }, 5)).toEqual({
      type: 'orderMissing',
      now: 5,
      clientOrderId: 'a',
      message: 'gone',
    });
  });

  it('a message keeps only what the kernel reads; params and runNow wait for the runtime', () => {
    const candle = { openTime: 0 } as never;
    expect(kernelEvent({ type: 'candle', candle, replayed: false }, 7)).toEqual({ type: 'candle', now: 7, candle });
    expect(kernelEvent({ type: 'pause' }, 7)).toEqual({ type: 'pause', now: 7 });
    expect(kernelEvent({ type: 'params', params: {}, updateSeq: 1 }, 7)).toBeNull();
    expect(kernelEvent({ type: 'runNow', updateSeq: 1 }, 7)).toBeNull();
  });
});
