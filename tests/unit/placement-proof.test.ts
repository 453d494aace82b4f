/**
 * Only proof finalises an order, at the activity boundary: what a failed placement means for the
 * workflow (workflows/failures.ts) after each way it can fail. REJECTED only when the exchange
 * refused this very request, or nothing for the id was ever sent; everything after a possible send
 * (a retry on a worker that lacks the account, an answer that cannot be read, a lookup refused) is
 * UNKNOWN; our own weight budget is a wait, not a failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { RawOrder } from '../../activities/binance-types';
import { AccountRegistry, type AccountConfig } from '../../activities/exchange-account';
import { createOrderActivities } from '../../activities/orders';
import type { OrderRequest } from '../../core/orders';
import { placementFailure } from '../../workflows/failures';

const CONFIG: AccountConfig = {
  name: 'paper',
  apiKey: 'k',
  apiSecret: 's',
  httpBase: 'http://127.0.0.1:9',
  wsBase: 'ws://127.0.0.1:9',
  wsApi: 'ws://127.0.0.1:9',
  recvWindowMs: 1_000,
  backendTimeoutMs: 1_000,
  requestTimeoutMs: 1_000,
  weightLimitPerMinute: 6_000,
};
const REQUEST: OrderRequest = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' };
const INPUT = { account: 'paper', clientOrderId: 'bot_AAAAABBBB-CCCCC1', request: REQUEST };

const QUIET = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const binanceError = (code: number, message: string) => Object.assign(new Error(message), { code });

/** An account whose REST client is `rest` (no network). */
function registry(rest: Record<string, (...args: never[]) => Promise<unknown>>): AccountRegistry {
  const accounts = new AccountRegistry([CONFIG]);
  Object.assign(accounts.get('paper'), { rest });
  return accounts;
}

/** Run placeOrder as attempt `attempt` (attempt > 1: an earlier attempt may have sent it `sentAgoMs` ago). */
async function place(accounts: AccountRegistry, attempt = 1, sentAgoMs = 100) {
  const now = Date.now();
  const env = new MockActivityEnvironment(
    {
      attempt,
      heartbeatDetails: attempt > 1 ? { attempt: attempt - 1, lastSendAt: now - sentAgoMs } : undefined,
      currentAttemptScheduledTimestampMs: now,
    },
    { logger: QUIET },
  );
  try {
    const acts = createOrderActivities({ accounts });
    return { ok: await env.run(acts.placeOrder.bind(acts), INPUT) };
  } catch (err) {
    return { err, outcome: placementFailure(err) };
  }
}

const filled: RawOrder = {
  symbol: 'BTCUSDT',
  orderId: 7,
  clientOrderId: INPUT.clientOrderId,
  transactTime: Date.now(),
  price: '0',
  origQty: '0.01',
  executedQty: '0.01',
  cummulativeQuoteQty: '300',
  status: 'FILLED',
  type: 'MARKET',
  side: 'BUY',
  fills: [],
};

describe('what a failed placement proves', () => {
  it('the exchange refusing the request itself: REJECTED', async () => {
    const r = await place(
      registry({
        order: async () =>
          Promise.reject(binanceError(-2010, 'Account has insufficient balance for requested action.')),
      }),
    );
    expect(r.outcome).toMatchObject({ kind: 'rejected', code: '-2010' });
  });

  it('a worker without the account on a first attempt: nothing was sent, REJECTED; on a retry: UNKNOWN', async () => {
    const none = new AccountRegistry([]);
    expect((await place(none, 1)).outcome).toMatchObject({ kind: 'rejected' });
    expect((await place(none, 3)).outcome).toMatchObject({ kind: 'unknown' });
  });

  it('an answer that cannot be read after the send: UNKNOWN, never REJECTED', async () => {
    const r = await place(registry({ order: async () => ({ ...filled, status: 'SOMETHING_NEW' }) }));
    expect(r.err).toBeInstanceOf(ApplicationFailure);
    expect((r.err as ApplicationFailure).type).toBe('UnreadableAnswer');
    expect(r.outcome).toMatchObject({ kind: 'unknown' });
  });

  it('credentials refused on the lookup after a send whose answer was lost (-2015): UNKNOWN', async () => {
    let sent = 0;
    const r = await place(
      registry({
        getOrder: async () => Promise.reject(binanceError(-2015, 'Invalid API-key, IP, or permissions for action.')),
        order: async () => (sent++, filled),
      }),
      2,
    );
    expect(sent).toBe(0);
    expect(r.outcome).toMatchObject({ kind: 'unknown' });
  });

  it("the worker's own weight budget spent on a retry: a retryable wait, nothing sent, nothing finalised", async () => {
    const accounts = registry({ getOrder: async () => filled, order: async () => filled });
    const budget = accounts.get('paper').budget;
    // Not across a minute boundary (the budget's window), where it would start afresh.
    if (Date.now() % 60_000 > 58_000) await new Promise((r) => setTimeout(r, 2_500));
    for (let i = 0; i < 1_200; i++) budget.reserve(4);
    const r = await place(accounts, 2);
    expect(r.err).toBeInstanceOf(ApplicationFailure);
    expect(r.err).toMatchObject({ type: 'RateLimited', nonRetryable: false });
    expect((r.err as ApplicationFailure).nextRetryDelay).toBeTruthy();
  });

  it('an entry held back by the open circuit breaker: nothing is live for the id, REJECTED (first attempt, or a retry once the earlier send is proven absent)', async () => {
    let sent = 0;
    const accounts = registry({
      getOrder: async () => Promise.reject(binanceError(-2013, 'Order does not exist.')),
      order: async () => (sent++, filled),
    });
    const acc = accounts.get('paper');
    for (let i = 0; i < 5; i++) acc.breaker.record({ kind: 'failed', error: 'HTTP502: Bad Gateway' });
    expect(acc.breaker.snapshot().state).toBe('open');
    const entry = { ...INPUT, purpose: 'entry' as const };
    const run = async (attempt: number, sentAgoMs: number) => {
      const now = Date.now();
      const env = new MockActivityEnvironment(
        {
          attempt,
          heartbeatDetails: attempt > 1 ? { attempt: attempt - 1, lastSendAt: now - sentAgoMs } : undefined,
          currentAttemptScheduledTimestampMs: now,
        },
        { logger: QUIET },
      );
      const orders = createOrderActivities({ accounts });
      return env
        .run((input: typeof entry) => orders.placeOrder(input), entry)
        .then(
          () => null,
          (err: unknown) => placementFailure(err),
        );
    };
    expect(await run(1, 0)).toMatchObject({ kind: 'rejected', code: 'CIRCUIT_OPEN' });
    // Past the execution deadline and not found: proven absent, then held back.
    expect(await run(2, 10 * 60_000)).toMatchObject({ kind: 'rejected', code: 'CIRCUIT_OPEN' });
    expect(sent).toBe(0);
    acc.breaker.close();
  });

  it('a lookup that finds the order an earlier attempt sent: adopted, not sent again', async () => {
    let sent = 0;
    const r = await place(
      registry({ getOrder: async () => filled, myTrades: async () => [], order: async () => (sent++, filled) }),
      2,
    );
    expect(sent).toBe(0);
    expect(r.ok).toMatchObject({ clientOrderId: INPUT.clientOrderId, status: 'FILLED' });
  });
});
