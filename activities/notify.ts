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

/** The fields delivery relies on: an id to key the outbox by, a known kind, the text and its time. */
function isNotice(n: unknown): n is Notice {
  if (typeof n !== 'object' || n === null) return false;
  const r = n as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    r.id !== '' &&
    typeof r.text === 'string' &&
    (NOTICE_KINDS as readonly unknown[]).includes(r.kind) &&
    typeof r.time === 'number'
  );
}

function check(input: DeliverNotificationsInput): readonly Notice[] {
  const notices = (input as { notices?: unknown })?.notices;
  const ok = Array.isArray(notices) && notices.every(isNotice);
  if (!ok)
    throw ApplicationFailure.create({
      type: FailureType.InvalidRequest,
      nonRetryable: true,
      message: 'deliverNotifications: input must be {notices: [{id, kind, bot, time, text}]}',
    });
  return notices;
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
