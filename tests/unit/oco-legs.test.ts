/**
 * Issue 10, "the OCO leg snapshots": an OCO answer can list fewer than its two legs. The placement
 * activity then looks the missing leg up by its client id, so the bot gets both legs' snapshots;
 * when the lookup cannot tell, it returns the leg it has and the bot keeps the other unproven
 * (UNKNOWN in the kernel, see kernel-proof.test.ts) instead of leaving it SUBMITTING.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { RawOrder } from '../../activities/binance-types';
import { type AccountConfig, AccountRegistry } from '../../activities/exchange-account';
import { type OcoResult, type PlaceOcoInput, createOrderActivities } from '../../activities/orders';

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
const QUIET = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const INPUT: PlaceOcoInput = {
  account: 'paper',
  listClientOrderId: 'bot_AAAA-list1',
  aboveClientOrderId: 'bot_AAAA-tp1',
  belowClientOrderId: 'bot_AAAA-sl1',
  purpose: 'exit',
  request: {
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: '0.01',
    above: { type: 'LIMIT_MAKER', price: '31000' },
    below: { type: 'STOP_LOSS_LIMIT', price: '28900', stopPrice: '29000', timeInForce: 'GTC' },
  },
};

const leg = (clientOrderId: string, orderId: number, type: string, price: string): RawOrder => ({
  symbol: 'BTCUSDT',
  orderId,
  orderListId: 5,
  clientOrderId,
  transactTime: Date.now(),
  price,
  origQty: '0.01',
  executedQty: '0',
  cummulativeQuoteQty: '0',
  status: 'NEW',
  type,
  side: 'SELL',
});

const bareError = (code: number, message: string) => Object.assign(new Error(message), { code });

/** Place the OCO on a REST client whose answer lists only the take-profit leg. */
async function placeWithOneLegReported(getOrder: (q: { origClientOrderId: string }) => Promise<RawOrder>) {
  const accounts = new AccountRegistry([CONFIG]);
  const looked: string[] = [];
  Object.assign(accounts.get('paper'), {
    rest: {
      orderOco: async () => ({
        orderListId: 5,
        listClientOrderId: INPUT.listClientOrderId,
        orderReports: [leg(INPUT.aboveClientOrderId, 11, 'LIMIT_MAKER', '31000')],
      }),
      getOrder: async (q: { origClientOrderId: string }) => {
        looked.push(q.origClientOrderId);
        return getOrder(q);
      },
      myTrades: async () => [],
    },
  });
  const env = new MockActivityEnvironment(
    { attempt: 1, currentAttemptScheduledTimestampMs: Date.now() },
    { logger: QUIET },
  );
  const acts = createOrderActivities({ accounts });
  const result = await env.run<[PlaceOcoInput], OcoResult, (i: PlaceOcoInput) => Promise<OcoResult>>(
    acts.placeOco.bind(acts),
    INPUT,
  );
  return { result, looked };
}

describe('an OCO answer that lists fewer than two legs', () => {
  it('the missing leg is looked up by its client id, and both snapshots reach the bot', async () => {
    const { result, looked } = await placeWithOneLegReported(async () =>
      leg(INPUT.belowClientOrderId, 12, 'STOP_LOSS_LIMIT', '28900'),
    );
    expect(looked).toEqual([INPUT.belowClientOrderId]);
    expect(result.snapshots.map((s) => [s.clientOrderId, s.status])).toEqual([
      [INPUT.aboveClientOrderId, 'NEW'],
      [INPUT.belowClientOrderId, 'NEW'],
    ]);
  });

  it('a lookup that cannot tell leaves that leg out (unproven), never invented', async () => {
    const { result, looked } = await placeWithOneLegReported(async () => {
      throw bareError(-1001, 'Internal error; unable to process your request. Please try again.');
    });
    expect(looked).toEqual([INPUT.belowClientOrderId]);
    expect(result.snapshots.map((s) => s.clientOrderId)).toEqual([INPUT.aboveClientOrderId]);
  });
});
