import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BreakerSnapshot } from '../../activities/circuit-breaker';
import { AlertBook } from '../../monitoring/alert-book';
import { DEFAULT_THRESHOLDS, type HealthSnapshot, alertThresholds, evaluateAlerts } from '../../monitoring/alert-rules';
import { Outbox } from '../../notify/outbox';

const closed: BreakerSnapshot = {
  account: 'paper',
  state: 'closed',
  consecutiveFailures: 0,
  openedAt: null,
  since: 0,
  lastError: null,
  opens: 0,
};

function snapshot(
  over: Partial<HealthSnapshot> & { account?: Partial<HealthSnapshot['accounts'][number]> } = {},
): HealthSnapshot {
  const now = 10 * 3600_000;
  return {
    now,
    startedAt: 0,
    accounts: [
      {
        name: 'paper',
        bots: 1,
        errors: { count: 0, since: null, lastError: null },
        breaker: closed,
        lastSuccessAt: now - 1_000,
        userStream: { subscribed: true, downSince: null },
        ...over.account,
      },
    ],
    bots: new Map(),
    unknownOrders: [],
    process: { pid: 4242, rssBytes: 100 * 1048576, cpuFloorPct: 10 },
    ...over,
  };
}

const rules = (s: HealthSnapshot, t = DEFAULT_THRESHOLDS) => evaluateAlerts(s, t).map((c) => c.rule);

describe('alert rules (seed 003 defaults)', () => {
  it('is quiet when all is well', () => {
    expect(evaluateAlerts(snapshot(), DEFAULT_THRESHOLDS)).toEqual([]);
  });

  it('more than 10 consecutive errors, per account and per bot', () => {
    expect(rules(snapshot({ account: { errors: { count: 10, since: 0, lastError: 'HTTP502' } } }))).toEqual([]);
    const c = evaluateAlerts(
      snapshot({
        account: { errors: { count: 11, since: 0, lastError: 'HTTP502: bad gateway' } },
        bots: new Map([['bot-a', { count: 11, since: 0, lastError: 'HTTP502' }]]),
      }),
      DEFAULT_THRESHOLDS,
    );
    expect(c.map((x) => x.key)).toEqual(['consecutive-errors:account:paper', 'consecutive-errors:bot:bot-a']);
    expect(c[0]!.detail).toContain('11 exchange calls failed in a row');
    expect(c[1]!.label).toBe('bot a: consecutive exchange errors');
  });

  it('circuit breaker open, memory over 1 GB, CPU over 90 % sustained', () => {
    expect(
      rules(snapshot({ account: { breaker: { ...closed, state: 'open', openedAt: 5, consecutiveFailures: 5 } } })),
    ).toEqual(['circuit-open']);
    expect(rules(snapshot({ process: { pid: 1, rssBytes: 1025 * 1048576, cpuFloorPct: 95 } }))).toEqual([
      'memory',
      'cpu',
    ]);
    expect(rules(snapshot({ process: { pid: 1, rssBytes: 1, cpuFloorPct: null } }))).toEqual([]); // window not covered yet
  });

  it('no successful exchange call for over an hour, unless the user stream is up or no bot runs', () => {
    const now = 10 * 3600_000;
    const silent = { lastSuccessAt: now - 3601_000, userStream: { subscribed: false, downSince: now - 3601_000 } };
    expect(rules(snapshot({ account: silent }))).toEqual(['no-success', 'stream-stale']);
    expect(rules(snapshot({ account: { ...silent, userStream: { subscribed: true, downSince: null } } }))).toEqual([]);
    expect(rules(snapshot({ account: { ...silent, bots: 0 } }))).toEqual([]);
  });

  it('user stream down longer than the threshold; order unknown past its deadline', () => {
    const now = 10 * 3600_000;
    expect(rules(snapshot({ account: { userStream: { subscribed: false, downSince: now - 119_000 } } }))).toEqual([]);
    expect(rules(snapshot({ account: { userStream: { subscribed: false, downSince: now - 121_000 } } }))).toEqual([
      'stream-stale',
    ]);
    const order = {
      key: 'bot-a/3',
      bot: 'bot-a',
      clientOrderId: 'a_x-3',
      since: now - 20_000,
      deadline: now - 1,
      lastError: 'OutcomeUnknown',
    };
    expect(evaluateAlerts(snapshot({ unknownOrders: [order] }), DEFAULT_THRESHOLDS)[0]).toMatchObject({
      rule: 'order-unknown',
      label: 'bot a: order a_x-3 outcome unknown',
    });
    expect(rules(snapshot({ unknownOrders: [{ ...order, deadline: now + 1 }] }))).toEqual([]);
  });

  it('thresholds from the environment, each refusal naming the variable', () => {
    const t = alertThresholds({
      ALERT_CONSECUTIVE_ERRORS: '3',
      ALERT_MEMORY_MB: '512',
      ALERT_CPU_PCT: '75',
      ALERT_CPU_FOR_S: '60',
      ALERTS_DISABLED: 'no-success,cpu',
    });
    expect(t).toMatchObject({ consecutiveErrors: 3, rssBytes: 512 * 1048576, cpuPct: 75, cpuForMs: 60_000 });
    expect([...t.disabled]).toEqual(['no-success', 'cpu']);
    expect(() => alertThresholds({ ALERT_CPU_PCT: 'lots' })).toThrow(/ALERT_CPU_PCT/);
    expect(() => alertThresholds({ ALERTS_DISABLED: 'cpu,typo' })).toThrow(/unknown rule "typo"/);
    expect(alertThresholds({})).toEqual(DEFAULT_THRESHOLDS);
  });
});

describe('alert book: once while it lasts, then recovered', () => {
  const cond = {
    key: 'circuit-open:paper',
    rule: 'circuit-open' as const,
    label: 'account paper: circuit breaker open',
    detail: 'open since …',
  };

  it('fires once, stays quiet while firing, says recovered, and survives a restart', () => {
    const file = path.join(os.tmpdir(), `alerts-${randomUUID()}.db`);
    const outbox = new Outbox(file);
    const book = new AlertBook(outbox);
    expect(book.update([cond], 1_000).map((c) => c.type)).toEqual(['fired']);
    expect(book.update([cond], 2_000)).toEqual([]);
    // A restarted worker adopts the alert: no second "fired".
    const again = new AlertBook(new Outbox(file));
    expect(again.adopt(3_000)).toEqual([]);
    expect(again.update([cond], 3_000)).toEqual([]);
    const rec = again.update([], 62_000);
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ type: 'recovered', firedAt: 1_000 });
    expect(rec[0]!.text).toBe('✅ RECOVERED — account paper: circuit breaker open (lasted 61 s)');
    // The first book no longer owns it in the store: it cannot announce a second recovery.
    expect(book.update([], 63_000)).toEqual([]);
    outbox.close();
  });

  it('closes the process alerts of a worker that is gone', () => {
    const outbox = new Outbox(':memory:');
    outbox.startAlert('memory:999999999', 1_000, 'worker 999999999: memory over 1024 MB');
    const changes = new AlertBook(outbox).adopt(5_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.text).toContain('the worker that saw it is gone');
    expect(outbox.activeAlerts()).toEqual([]);
  });
});
