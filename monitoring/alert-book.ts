/**
 * Alerts that last: each condition (./alert-rules.ts) is announced once when it starts holding
 * and once more, "recovered", when it stops. Firing state is kept in the outbox's alert table
 * (notify/outbox.ts), so a restarted worker neither repeats an alert that is still on nor forgets
 * to close it; a process-level alert (memory, CPU) of a worker that is gone is closed at start.
 */
import type { ActiveAlert } from '../notify/outbox';
import type { AlertCondition } from './alert-rules';

export interface AlertStore {
  activeAlerts(): ActiveAlert[];
  startAlert(key: string, firedAt: number, message: string): boolean;
  endAlert(key: string): number | null;
}

export interface AlertChange {
  readonly type: 'fired' | 'recovered';
  readonly key: string;
  readonly label: string;
  readonly text: string;
  /** When the alert started (the id of both messages: one fire, one recovery). */
  readonly firedAt: number;
}

function duration(ms: number): string {
  if (ms < 90_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

/** Process-level alert keys end with the worker's pid (`memory:1234`, `cpu:1234`). */
function deadProcess(key: string): boolean {
  const m = /^(memory|cpu):(\d+)$/.exec(key);
  if (!m) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

export class AlertBook {
  /** Alerts this process will close when their condition goes (fired here, or found at start). */
  private readonly owned = new Map<string, { label: string; firedAt: number }>();

  constructor(private readonly store: AlertStore) {}

  /** At start: adopt the alerts left firing, and close those of workers that are gone. */
  adopt(now: number): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const a of this.store.activeAlerts()) {
      if (deadProcess(a.key)) {
        const firedAt = this.store.endAlert(a.key);
        if (firedAt !== null)
          changes.push({
            type: 'recovered',
            key: a.key,
            label: a.message,
            firedAt,
            text: `✅ RECOVERED — ${a.message} (the worker that saw it is gone; lasted ${duration(now - firedAt)})`,
          });
        continue;
      }
      this.owned.set(a.key, { label: a.message, firedAt: a.firedAt });
    }
    return changes;
  }

  /** The conditions holding now → what to announce. */
  update(conditions: readonly AlertCondition[], now: number): AlertChange[] {
    const changes: AlertChange[] = [];
    const holding = new Set<string>();
    for (const c of conditions) {
      holding.add(c.key);
      if (this.owned.has(c.key)) continue;
      const started = this.store.startAlert(c.key, now, c.label);
      this.owned.set(c.key, { label: c.label, firedAt: now });
      // Not started: another worker on this machine announced it already.
      if (started)
        changes.push({
          type: 'fired',
          key: c.key,
          label: c.label,
          firedAt: now,
          text: `🚨 ALERT — ${c.label}: ${c.detail}`,
        });
    }
    for (const [key, a] of this.owned) {
      if (holding.has(key)) continue;
      this.owned.delete(key);
      const firedAt = this.store.endAlert(key);
      if (firedAt !== null)
        changes.push({
          type: 'recovered',
          key,
          label: a.label,
          firedAt,
          text: `✅ RECOVERED — ${a.label} (lasted ${duration(now - firedAt)})`,
        });
    }
    return changes;
  }

  firing(): Array<{ key: string; label: string; firedAt: number }> {
    return [...this.owned].map(([key, a]) => ({ key, ...a }));
  }
}
