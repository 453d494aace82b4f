/**
 * StreamDelivery's choice of path, with a fake client: which kind goes by update, when the signal
 * is sent instead, and STREAM_DELIVERY's parsing. The real server's side is
 * tests/integration/stream-fallback.test.ts.
 */
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../core/market';
import type { OrderSnapshot } from '../../core/orders';
import { ConfigError } from '../../workers/config';
import { DEFAULT_DELIVERY, StreamDelivery, deliveryFromEnv } from '../../workers/stream-delivery';
import { DUPLICATE_CANDLE } from '../../workflows/stream-updates';

const CANDLE: Candle = {
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime: 60_000,
  closeTime: 119_999,
  open: '1',
  high: '1',
  low: '1',
  close: '1',
  volume: '0',
};
const REPORT = {
  clientOrderId: 'x-1',
  status: 'FILLED',
  executedQty: '1',
  updateTime: 5,
  fills: [],
} as unknown as OrderSnapshot;

type UpdateBehaviour = 'accept' | 'never' | 'duplicate' | 'gone' | 'unknown-handler';

function fakeClient(behaviour: UpdateBehaviour) {
  const calls: string[] = [];
  const handle = {
    executeUpdate: (def: { name: string }, o: { updateId: string }) => {
      calls.push(`update ${def.name} ${o.updateId}`);
      switch (behaviour) {
        case 'accept':
          return Promise.resolve();
        case 'never':
          return new Promise<void>(() => {});
        case 'duplicate':
          return Promise.reject(
            new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ message: DUPLICATE_CANDLE })),
          );
        case 'gone':
          return Promise.reject(new WorkflowNotFoundError('not found', 'bot-a', undefined));
        case 'unknown-handler':
          return Promise.reject(
            new WorkflowUpdateFailedError(
              'update failed',
              ApplicationFailure.create({ message: 'No registered handler for update: deliverCandle' }),
            ),
          );
      }
    },
    signal: (def: { name: string }) => {
      calls.push(`signal ${def.name}`);
      return Promise.resolve();
    },
  };
  // withDeadline: the real client aborts the call at the deadline; the fake races a timer.
  const client = {
    workflow: { getHandle: () => handle },
    withDeadline: <R>(deadline: number, fn: () => Promise<R>) =>
      Promise.race([
        fn(),
        new Promise<R>((_, reject) =>
          setTimeout(() => reject(new Error('deadline exceeded')), Math.max(0, deadline - Date.now())),
        ),
      ]),
  };
  return { client: client as unknown as Client, calls };
}

describe('StreamDelivery', () => {
  it('by default sends candles and order reports as signals (updates: see update-replay-nde.test.ts)', async () => {
    const f = fakeClient('accept');
    const d = new StreamDelivery(f.client);
    expect(await d.candle('bot-a', CANDLE)).toBe('signal');
    expect(await d.orderReport('bot-a', REPORT)).toBe('signal');
    expect(f.calls).toEqual(['signal candle', 'signal orderUpdate']);
  });

  it('an update accepted in time is not signalled; its id is derived from the event', async () => {
    const f = fakeClient('accept');
    const d = new StreamDelivery(f.client, { candles: 'update', orderReports: 'update' });
    expect(await d.candle('bot-a', CANDLE)).toBe('update');
    expect(f.calls).toEqual(['update deliverCandle candle/BTCUSDT/1m/60000']);
  });

  it('an update not accepted within the deadline falls back to the signal', async () => {
    const f = fakeClient('never');
    const d = new StreamDelivery(f.client, { candles: 'update', orderReports: 'update' }, 50);
    expect(await d.orderReport('bot-a', REPORT)).toBe('signal');
    expect(await d.candle('bot-a', CANDLE)).toBe('signal');
    expect(f.calls.filter((c) => c.startsWith('signal'))).toEqual(['signal orderUpdate', 'signal candle']);
  });

  it('a candle the bot already has is delivered; a bot without the handler gets the signal; a missing bot is an error', async () => {
    const modes = { candles: 'update', orderReports: 'update' } as const;
    const dup = fakeClient('duplicate');
    expect(await new StreamDelivery(dup.client, modes).candle('bot-a', CANDLE)).toBe('duplicate');
    expect(dup.calls.some((c) => c.startsWith('signal'))).toBe(false);
    const old = fakeClient('unknown-handler');
    expect(await new StreamDelivery(old.client, modes).candle('bot-a', CANDLE)).toBe('signal');
    const gone = fakeClient('gone');
    await expect(new StreamDelivery(gone.client, modes).candle('bot-a', CANDLE)).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(gone.calls.some((c) => c.startsWith('signal'))).toBe(false);
  });
});

describe('STREAM_DELIVERY', () => {
  it('unset is per kind; update or signal forces both; anything else is refused by name', () => {
    expect(deliveryFromEnv(undefined)).toEqual(DEFAULT_DELIVERY);
    expect(deliveryFromEnv(' ')).toEqual(DEFAULT_DELIVERY);
    expect(deliveryFromEnv('update')).toEqual({ candles: 'update', orderReports: 'update' });
    expect(deliveryFromEnv('signal')).toEqual({ candles: 'signal', orderReports: 'signal' });
    expect(() => deliveryFromEnv('updates')).toThrow(ConfigError);
    expect(() => deliveryFromEnv('updates')).toThrow(/STREAM_DELIVERY: "updates"/);
  });
});
