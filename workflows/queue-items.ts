/**
 * What waits in the bot workflow's queue, in the kernel's vocabulary: messages that arrived
 * (`InboxItem`, carried across continue-as-new) and outcomes of the activities the kernel asked
 * for, each a kernel event (core/kernel/ `BotEvent`) still without its `now`. The time is the
 * one of the workflow task that hands the item to the kernel.
 */
import type { BotEvent } from '../core/kernel';
import type { InboxItem } from './messages';

type WithoutNow<E> = E extends unknown ? Omit<E, 'now'> : never;

/** Kernel events an activity's outcome becomes (workflows/command-runner.ts). */
export type ResultItem = WithoutNow<
  Extract<
    BotEvent,
    {
      type:
        | 'orderPlaced'
        | 'orderListPlaced'
        | 'orderRejected'
        | 'orderUnknown'
        | 'orderCollision'
        | 'orderMissing'
        | 'orderUpdate'
        | 'cancelRejected'
        | 'reconciled'
        | 'reconcileFailed'
        | 'data'
        | 'dataFailed';
    }
  >
>;

export type QueueItem = InboxItem | ResultItem;

/**
 * The kernel event of an item that needs nothing of the workflow; null for `params` and `runNow`,
 * which the runtime checks and acknowledges first (workflows/bot-runtime.ts).
 */
export function kernelEvent(item: QueueItem, now: number): BotEvent | null {
  switch (item.type) {
    case 'candle':
      return { type: 'candle', now, candle: item.candle, ...(item.replayed ? { replayed: true } : {}) };
    case 'orderUpdate':
      return { type: 'orderUpdate', now, snapshot: item.snapshot, source: item.source };
    case 'trigger': {
      const { id, price, time } = item;
      return { type: 'trigger', now, id, price, time, ...(item.replayed ? { replayed: true } : {}) };
    }
    case 'book':
      return { type: 'book', now, book: item.book };
    case 'pause':
    case 'resume':
    case 'streamReconnected':
      return { type: item.type, now };
    case 'params':
    case 'runNow':
      return null;
    case 'orderPlaced':
    case 'orderListPlaced':
    case 'orderRejected':
    case 'orderUnknown':
    case 'orderCollision':
    case 'orderMissing':
    case 'cancelRejected':
    case 'reconciled':
    case 'reconcileFailed':
    case 'data':
    case 'dataFailed': {
      // An activity's outcome: already a kernel event but for its time.
      const { type, ...rest } = item;
      return { type, now, ...rest } as BotEvent;
    }
    default: {
      const unknown: never = item;
      throw new Error(`unknown queue item ${JSON.stringify(unknown)}`);
    }
  }
}
