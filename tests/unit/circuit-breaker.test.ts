import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, outcomeOf, refuseEntryWhileOpen } from '../../activities/circuit-breaker';
import { classifyExchangeError } from '../../activities/errors';
import { createBotState } from '../../core/kernel';
import { circuitViewSchema } from '../../core/message-schemas';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { createInbound } from '../../workflows/inbound';
import { carriedStateSchema } from '../../core/workflow-input-schemas';
import type { InputRejection } from '../../workflows/messages';

const http = (status: number) => Object.assign(new Error(`${status}`), { response: { status } });
const fail = (b: CircuitBreaker, status = 502) => b.record(outcomeOf(classifyExchangeError(http(status))));

describe('circuit breaker', () => {
  afterEach(() => vi.useRealTimers());

  it('opens after N consecutive 5xx/timeouts/resets, not on answers or rate limits', () => {
    const b = new CircuitBreaker('paper', { failureThreshold: 3, cooldownMs: 1_000 });
    fail(b);
    fail(b);
    b.record(outcomeOf(classifyExchangeError(Object.assign(new Error('Too many requests'), { code: -1003 })))); // rate limit: neutral
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    b.record(
      outcomeOf(classifyExchangeError(Object.assign(new Error('Account has insufficient balance'), { code: -2010 }))),
    ); // an answer
    expect(b.snapshot().consecutiveFailures).toBe(0);
    fail(b);
    b.record(outcomeOf(classifyExchangeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))));
    expect(b.snapshot().state).toBe('closed');
    b.record(outcomeOf(classifyExchangeError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))));
    expect(b.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 3, opens: 1 });
    expect(b.snapshot().lastError).toContain('ECONNREFUSED');
    b.close();
  });

  it('refuses new entries while open, never exits or placements of unknown purpose', () => {
    const b = new CircuitBreaker('paper', { failureThreshold: 1, cooldownMs: 60_000 });
    expect(() => refuseEntryWhileOpen(b, 'entry', 'order x')).not.toThrow();
    fail(b);
    let thrown: unknown;
    try {
      refuseEntryWhileOpen(b, 'entry', 'order x');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect((thrown as ApplicationFailure).nonRetryable).toBe(true);
    expect((thrown as ApplicationFailure).type).toBe('OrderRejected');
    expect((thrown as ApplicationFailure).details?.[0]).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect((thrown as ApplicationFailure).message).toMatch(
      /circuit breaker open on account "paper".*exits and protective orders still go/,
    );
    expect(() => refuseEntryWhileOpen(b, 'exit', 'order y')).not.toThrow();
    expect(() => refuseEntryWhileOpen(b, undefined, 'order z')).not.toThrow();
    b.close();
  });

  it('probes after the cool-down: a failed probe opens it again, a successful one closes it', async () => {
    vi.useFakeTimers();
    const b = new CircuitBreaker('paper', { failureThreshold: 2, cooldownMs: 1_000 });
    const changes: string[] = [];
    b.onChange((s) => changes.push(s.state));
    let healthy = false;
    let probes = 0;
    b.setProbe(async () => {
      probes++;
      b.record(healthy ? { kind: 'answered' } : { kind: 'failed', error: 'HTTP502' });
    });
    fail(b);
    fail(b);
    expect(b.snapshot().state).toBe('open');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probes).toBe(1);
    expect(b.snapshot().state).toBe('open'); // the probe failed
    healthy = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probes).toBe(2);
    expect(b.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0, openedAt: null });
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(b.entryRefusal()).toBeNull();
    b.close();
  });

  it('a rate-limited probe leaves it half-open and probes again later', async () => {
    vi.useFakeTimers();
    const b = new CircuitBreaker('paper', { failureThreshold: 1, cooldownMs: 500 });
    let n = 0;
    b.setProbe(async () => {
      n++;
      b.record(n === 1 ? { kind: 'neutral' } : { kind: 'answered' });
    });
    fail(b);
    await vi.advanceTimersByTimeAsync(500);
    expect(b.snapshot().state).toBe('half-open');
    expect(b.entryRefusal()).toMatch(/half-open/);
    await vi.advanceTimersByTimeAsync(500);
    expect(b.snapshot().state).toBe('closed');
    b.close();
  });
});

describe('the circuitBreaker signal is untrusted input', () => {
  const setup = {
    name: 'b',
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m' as const,
    account: 'paper',
    params: { quantity: '0.001' },
    onStop: 'cancel-orders' as const,
    risk: {},
  };
  const state = createBotState(setup, dcaTakeProfit, 1_000);

  it('takes one snapshot of the worker’s own shape for the bot’s account; anything else is refused and recorded with the reason', () => {
    const b = new CircuitBreaker('paper', { failureThreshold: 1, cooldownMs: 60_000 });
    fail(b);
    const snap = b.snapshot();
    b.close();
    const refused: InputRejection[] = [];
    const inbound = createInbound({
      state: () => state,
      push: () => {},
      now: () => 5,
      maxCandleLeadMs: 60_000,
      strict: true,
      reject: (r) => refused.push(r),
    });
    const reasonOf = (args: unknown[]) => {
      const before = refused.length;
      expect(inbound.circuitBreaker(args)).toBeNull();
      expect(refused).toHaveLength(before + 1);
      expect(refused.at(-1)!.message).toBe('signal circuitBreaker');
      return refused.at(-1)!.reason;
    };
    // What the worker sends (monitoring/breaker-relay.ts) passes as it is.
    expect(inbound.circuitBreaker([snap])).toEqual(snap);
    expect(refused).toEqual([]);
    expect(reasonOf([])).toContain('no input');
    expect(reasonOf([snap, snap])).toContain('2 inputs');
    expect(reasonOf([null])).toMatch(/must be an object|expected object/);
    expect(reasonOf([{ ...snap, state: 'ajar' }])).toContain('state: must be closed, open, half-open');
    expect(reasonOf([{ ...snap, since: 'yesterday' }])).toContain('since:');
    expect(reasonOf([{ ...snap, lastError: 'x'.repeat(5_000) }])).toContain('lastError: at most 2,000 characters');
    expect(reasonOf([{ ...snap, extra: 1 }])).toContain('unknown field(s) "extra"');
    expect(reasonOf([{ ...snap, account: 'other' }])).toBe('breaker of account "other": this bot trades on paper');
  });

  it('the view a run carries over is checked with the rest of the start input', () => {
    const b = new CircuitBreaker('paper', { failureThreshold: 1, cooldownMs: 60_000 });
    fail(b);
    const snap = b.snapshot();
    b.close();
    const carried = { state, inbox: [], generation: 2, paramsUpdatesApplied: 0 };
    expect(carriedStateSchema.safeParse({ ...carried, circuit: snap }).success).toBe(true);
    expect(carriedStateSchema.safeParse({ ...carried, circuit: null }).success).toBe(true);
    expect(carriedStateSchema.safeParse(carried).success).toBe(true);
    const bad = carriedStateSchema.safeParse({ ...carried, circuit: { ...snap, state: 'ajar' } });
    expect(bad.success).toBe(false);
    expect(circuitViewSchema.safeParse({ account: 'paper' }).success).toBe(false);
  });
});
