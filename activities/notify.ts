/**
 * The notification activity: a bot's notices (core/notices.ts), derived from its durable history,
 * handed to the outbox (notify/). Idempotent by notice id — a retried attempt, a replayed or reset
 * workflow, a second worker: each notice is stored once per channel and sent once — so a worker
 * killed mid-send neither loses a trade notification nor repeats it (see notify/outbox.ts for the
 * one window the Bot API leaves open).
 *
 * It never waits for Telegram: storing the notices is all it does before it returns (the bot
 * workflow runs it as a local activity, inside its workflow task); sending starts at once in the
 * background, and what cannot go out now is left to the dispatcher. A Telegram outage never holds
 * a bot back.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NOTICE_KINDS, type Notice } from '../core/notices';
import type { Notifier, SubmitResult } from '../notify/notifier';
import { FailureType } from './errors';

export interface DeliverNotificationsInput {
  readonly notices: readonly Notice[];
}

export interface NotifyActivityDeps {
  /** Null: this worker delivers nothing (the notices stay in the bot's history and log). */
  readonly notifier?: Notifier | null;
}

function check(input: DeliverNotificationsInput): readonly Notice[] {
  const notices = (input as { notices?: unknown })?.notices;
  const ok =
    Array.isArray(notices) &&
    notices.every((n) => typeof n === 'object' && n !== null && typeof n.id === 'string' && n.id !== '' && typeof n.text === 'string' && (NOTICE_KINDS as readonly string[]).includes(n.kind) && typeof n.time === 'number');
  if (!ok) throw ApplicationFailure.create({ type: FailureType.InvalidRequest, nonRetryable: true, message: 'deliverNotifications: input must be {notices: [{id, kind, bot, time, text}]}' });
  return notices as Notice[];
}

export function createNotifyActivities(deps: NotifyActivityDeps) {
  return {
    async deliverNotifications(input: DeliverNotificationsInput): Promise<SubmitResult> {
      const notices = check(input);
      if (!deps.notifier) return { queued: 0, sent: 0, pending: 0 };
      return deps.notifier.submit(notices, { wait: false });
    },
  };
}
