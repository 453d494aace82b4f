import { describe, expect, it } from 'vitest';
import { RequestTimeoutError, classifyExchangeError, retryAfterFromMessage } from '../../activities/errors';
import {
  WeightBudget,
  WeightBudgetExhausted,
  observeAnswer,
  registerBudget,
  retryAfterHint,
} from '../../activities/rate-limit';

const binance = (code: number, msg: string) => Object.assign(new Error(msg), { code });
const network = (code: string) => Object.assign(new Error(`request failed, reason: ${code}`), { code, type: 'system' });
const http = (status: number) =>
  Object.assign(new Error(`${status} Bad Gateway <html>`), { response: { status, headers: { get: () => null } } });

describe('exchange error classification', () => {
  it('treats execution-status-unknown answers, 5xx, resets and our own timeouts as unknown, never as failed', () => {
    for (const code of [-1000, -1001, -1006, -1007, -1008])
      expect(classifyExchangeError(binance(code, 'x')).kind).toBe('unknown');
    expect(classifyExchangeError(http(502)).kind).toBe('unknown');
    expect(classifyExchangeError(http(503)).kind).toBe('unknown');
    expect(classifyExchangeError(network('ECONNRESET')).kind).toBe('unknown');
    expect(classifyExchangeError(network('ETIMEDOUT')).kind).toBe('unknown');
    expect(classifyExchangeError(new RequestTimeoutError('order', 10_000)).kind).toBe('unknown');
  });

  it('knows what certainly did not execute', () => {
    expect(classifyExchangeError(network('ECONNREFUSED'))).toMatchObject({ kind: 'notSent', rateLimited: false });
    expect(
      classifyExchangeError(binance(-1021, 'Timestamp for this request is outside of the recvWindow.')),
    ).toMatchObject({ kind: 'notSent' });
    expect(classifyExchangeError(binance(-1003, 'Too much request weight used'), 2_000)).toMatchObject({
      kind: 'notSent',
      rateLimited: true,
      retryAfterMs: 2_000,
    });
  });

  it('adopts a duplicate, looks up an unknown order, and rejects the rest definitively with a stable type', () => {
    expect(classifyExchangeError(binance(-2010, 'Duplicate order sent.')).kind).toBe('duplicate');
    expect(classifyExchangeError(binance(-2013, 'Order does not exist.')).kind).toBe('notFound');
    expect(classifyExchangeError(binance(-2011, 'Unknown order sent.')).kind).toBe('notFound');
    expect(
      classifyExchangeError(binance(-2010, 'Account has insufficient balance for requested action.')),
    ).toMatchObject({ kind: 'rejected', type: 'OrderRejected' });
    expect(classifyExchangeError(binance(-1013, 'Filter failure: LOT_SIZE'))).toMatchObject({
      kind: 'rejected',
      type: 'OrderRejected',
    });
    expect(classifyExchangeError(binance(-1022, 'Signature for this request is not valid.'))).toMatchObject({
      kind: 'rejected',
      type: 'CredentialsRejected',
    });
    expect(classifyExchangeError(new Error('Method order requires symbol parameter.'))).toMatchObject({
      kind: 'rejected',
      type: 'InvalidRequest',
    });
  });

  it('reads the wait out of rate-limit messages when no Retry-After header was seen', () => {
    const now = 1_700_000_070_000; // 30 s into a minute
    expect(retryAfterFromMessage('Way too much request weight used; IP banned until 1700000130000.', now)).toBe(60_000);
    expect(
      retryAfterFromMessage('Too much request weight used; current limit is 6000 request weight per 1 MINUTE.', now),
    ).toBe(30_000);
  });
});

describe('the weight budget shared by the bots of a worker', () => {
  it('refuses past its share of the limit until the next minute, with the wait as the retry delay', () => {
    const budget = new WeightBudget(100, 0.8);
    const t = 1_700_000_050_000; // 10 s into a minute
    for (let i = 0; i < 20; i++) budget.reserve(4, t);
    expect(budget.usedThisWindow).toBe(80);
    let failure: unknown;
    try {
      budget.reserve(4, t);
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(WeightBudgetExhausted);
    // Our own refusal is "not sent, rate limited" (retryable after the wait), never a rejection.
    expect(classifyExchangeError(failure)).toMatchObject({ kind: 'notSent', rateLimited: true, retryAfterMs: 50_000 });
    budget.reserve(4, t + 50_000); // a new minute
    expect(budget.usedThisWindow).toBe(4);
  });

  it('a 418 ban stops every call of the host until it ends; a 429 with Retry-After: 0 still waits a second', () => {
    const budget = new WeightBudget(6000);
    registerBudget('ban.test:1', budget);
    const t = 1_700_000_000_000;
    observeAnswer('ban.test:1', 418, { 'retry-after': '120' }, t);
    expect(() => budget.reserve(1, t + 119_000)).toThrow(/banned this IP \(418\)/);
    expect(() => budget.reserve(1, t + 119_000)).toThrow(WeightBudgetExhausted);
    budget.reserve(1, t + 120_001);
    observeAnswer('ban.test:1', 429, { 'retry-after': '0' }, t + 200_000);
    expect(retryAfterHint('ban.test:1', t + 200_000)).toBe(1_000);
    expect(() => budget.reserve(1, t + 200_500)).toThrow(/wait \(429\)/);
    budget.reserve(1, t + 201_001);
    // And the used weight each answer reports is followed (other workers on the same IP).
    observeAnswer('ban.test:1', 200, { 'x-mbx-used-weight-1m': '4700' }, t + 201_002);
    expect(budget.usedThisWindow).toBe(4700);
    expect(() => budget.reserve(200, t + 201_003)).toThrow(/weight budget spent/);
  });

  it('aligns with the weight the exchange reports for the IP', () => {
    const budget = new WeightBudget(1000);
    budget.reserve(10, 60_000);
    budget.observe(700, 60_001);
    expect(budget.usedThisWindow).toBe(700);
    expect(() => budget.reserve(150, 60_002)).toThrow(/weight budget spent/);
  });
});
