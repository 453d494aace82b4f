/**
 * The notification outbox: one SQLite file per machine (better-sqlite3, WAL) shared by every
 * worker process on it. Every delivery — one notice to one channel (a Telegram chat, the webhook,
 * the log) — is a row keyed by (notice id, channel):
 *
 *   pending ──claim──► (sending) ──► sent | failed        a claim expires after `claimMs`
 *
 * - Enqueueing is an `INSERT OR IGNORE`: the notification activity may run any number of times
 *   (retries, a replayed or reset workflow), the row exists once, and a `sent` row is never sent
 *   again.
 * - Sending claims the row first (an UPDATE that only one process can win), so two workers never
 *   send the same row at once; a worker killed while holding a claim leaves it to expire, and the
 *   row is sent by whoever claims it next.
 * - The one window no outbox can close: the process dies after Telegram accepted the message and
 *   before the row is marked sent. The Bot API has no idempotency key, so that message is sent
 *   again (at least once, never lost).
 *
 * Alert state (firing, since when) lives here too, so a restarted worker neither repeats an alert
 * that is still on nor forgets to say "recovered".
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface Delivery {
  readonly id: string;
  readonly channel: string;
  readonly payload: string;
  readonly attempts: number;
  readonly createdAt: number;
}

export interface DeliveryRow extends Delivery {
  readonly status: 'pending' | 'sent' | 'failed';
  readonly result: string | null;
  readonly lastError: string | null;
}

export interface ActiveAlert {
  readonly key: string;
  readonly firedAt: number;
  readonly message: string;
}

export class Outbox {
  private readonly db: Database.Database;

  constructor(
    readonly file: string,
    private readonly claimMs = 30_000,
  ) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL'); // a row marked sent survives a power cut
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS deliveries (
        id TEXT NOT NULL,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        claimed_until INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        last_error TEXT,
        PRIMARY KEY (id, channel)
      );
      CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (status, claimed_until);
      CREATE TABLE IF NOT EXISTS alerts (
        key TEXT PRIMARY KEY,
        fired_at INTEGER NOT NULL,
        message TEXT NOT NULL
      );
    `);
  }

  /** Add deliveries; existing ones (same id and channel) are left as they are. Returns how many are new. */
  enqueue(rows: ReadonlyArray<{ id: string; channel: string; payload: string }>, now = Date.now()): number {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO deliveries (id, channel, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    let added = 0;
    this.db.transaction(() => {
      for (const r of rows) added += insert.run(r.id, r.channel, r.payload, now, now).changes;
    })();
    return added;
  }

  /** Take a pending delivery for `claimMs`; null when it is sent, failed, or claimed by someone else. */
  claim(id: string, channel: string, now = Date.now()): Delivery | null {
    const r = this.db
      .prepare(
        "UPDATE deliveries SET claimed_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND channel = ? AND status = 'pending' AND claimed_until <= ? RETURNING id, channel, payload, attempts, created_at AS createdAt",
      )
      .get(now + this.claimMs, now, id, channel, now) as Delivery | undefined;
    return r ?? null;
  }

  /** Pending deliveries nobody holds, oldest first, claimed for the caller. */
  claimDue(limit: number, now = Date.now()): Delivery[] {
    const due = this.db
      .prepare(
        "SELECT id, channel FROM deliveries WHERE status = 'pending' AND claimed_until <= ? ORDER BY created_at LIMIT ?",
      )
      .all(now, limit) as Array<{ id: string; channel: string }>;
    return due.map((d) => this.claim(d.id, d.channel, now)).filter((d): d is Delivery => d !== null);
  }

  markSent(id: string, channel: string, result: string, now = Date.now()): void {
    this.db
      .prepare(
        "UPDATE deliveries SET status = 'sent', result = ?, updated_at = ?, last_error = NULL WHERE id = ? AND channel = ?",
      )
      .run(result, now, id, channel);
  }

  /** A permanent failure (chat not found, bot blocked): kept for the record, never retried. */
  markFailed(id: string, channel: string, error: string, now = Date.now()): void {
    this.db
      .prepare("UPDATE deliveries SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND channel = ?")
      .run(error.slice(0, 500), now, id, channel);
  }

  /** A transient failure: free the row again after `retryInMs`. */
  release(id: string, channel: string, error: string, retryInMs: number, now = Date.now()): void {
    this.db
      .prepare(
        "UPDATE deliveries SET claimed_until = ?, last_error = ?, updated_at = ? WHERE id = ? AND channel = ? AND status = 'pending'",
      )
      .run(now + retryInMs, error.slice(0, 500), now, id, channel);
  }

  get(id: string, channel: string): DeliveryRow | null {
    const r = this.db
      .prepare(
        'SELECT id, channel, payload, status, attempts, created_at AS createdAt, result, last_error AS lastError FROM deliveries WHERE id = ? AND channel = ?',
      )
      .get(id, channel) as DeliveryRow | undefined;
    return r ?? null;
  }

  counts(): Record<'pending' | 'sent' | 'failed', number> {
    const out = { pending: 0, sent: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as Array<{
      status: keyof typeof out;
      n: number;
    }>)
      out[r.status] = r.n;
    return out;
  }

  /** Forget deliveries finished long ago (the file must not grow forever on a Pi). */
  prune(olderThanMs: number, now = Date.now()): number {
    return this.db.prepare("DELETE FROM deliveries WHERE status != 'pending' AND updated_at < ?").run(now - olderThanMs)
      .changes;
  }

  // ---- alerts -------------------------------------------------------------------------------

  activeAlerts(): ActiveAlert[] {
    return this.db.prepare('SELECT key, fired_at AS firedAt, message FROM alerts').all() as ActiveAlert[];
  }

  /** Record an alert as firing; false when it already was (another process, or before a restart). */
  startAlert(key: string, firedAt: number, message: string): boolean {
    return (
      this.db
        .prepare('INSERT OR IGNORE INTO alerts (key, fired_at, message) VALUES (?, ?, ?)')
        .run(key, firedAt, message).changes === 1
    );
  }

  /** The alert is over; returns when it fired, or null when it was not firing. */
  endAlert(key: string): number | null {
    const r = this.db.prepare('DELETE FROM alerts WHERE key = ? RETURNING fired_at AS firedAt').get(key) as
      { firedAt: number } | undefined;
    return r?.firedAt ?? null;
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
  }
}
