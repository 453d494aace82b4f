import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, outcomeOf, refuseEntryWhileOpen } from '../../activities/circuit-breaker';
import { classifyExchangeError } from '../../activities/errors';
import { checkCircuitSignal, checkCircuitView } from '../../workflows/circuit-schema';

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
    b.record(outcomeOf(classifyExchangeError(Object.assign(new Error('Account has insufficient balance'), { code: -2010 })))); // an answer
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
    expect((thrown as ApplicationFailure).message).toMatch(/circuit breaker open on account "paper".*exits and protective orders still go/);
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
  it('takes one snapshot of the worker’s own shape and refuses anything else with the reason', () => {
    const b = new CircuitBreaker('paper', { failureThreshold: 1, cooldownMs: 60_000 });
    fail(b);
    const snap = b.snapshot();
    b.close();
    // What the worker sends (monitoring/breaker-relay.ts) passes as it is.
    expect(checkCircuitSignal([snap])).toEqual({ ok: true, view: snap });
    expect(checkCircuitSignal([])).toMatchObject({ ok: false, reason: expect.stringContaining('no input') });
    expect(checkCircuitSignal([snap, snap])).toMatchObject({ ok: false, reason: expect.stringContaining('2 inputs') });
    expect(checkCircuitSignal([null])).toMatchObject({ ok: false });
    expect(checkCircuitSignal([{ ...snap, state: 'ajar' }])).toMatchObject({ ok: false, reason: expect.stringContaining('state: must be closed, open or half-open') });
    expect(checkCircuitSignal([{ ...snap, since: 'yesterday' }])).toMatchObject({ ok: false, reason: expect.stringContaining('since:') });
    expect(checkCircuitSignal([{ ...snap, lastError: 'x'.repeat(5_000) }])).toMatchObject({ ok: false, reason: expect.stringContaining('lastError') });
    expect(checkCircuitSignal([{ ...snap, extra: 1 }])).toMatchObject({ ok: false, reason: expect.stringContaining('unknown field(s) "extra"') });
    expect(checkCircuitView({ account: 'paper' })).toMatchObject({ ok: false, reason: expect.stringContaining('state:') });
  });
});
