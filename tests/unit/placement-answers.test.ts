import { describe, expect, it } from 'vitest';
import type { OrderSnapshot } from '../../core/orders';
import { PlacementAnswers, answerCovers } from '../../activities/placement-answers';

const fill = (tradeId: number, qty: string) => ({
  tradeId,
  price: '30000',
  qty,
  quoteQty: '300',
  commission: '0',
  commissionAsset: 'BNB',
  time: 1,
  isMaker: false,
});

const snap = (o: Partial<OrderSnapshot>): OrderSnapshot => ({
  clientOrderId: 'bot_a-1',
  symbol: 'BTCUSDT',
  exchangeOrderId: 7,
  status: 'NEW',
  executedQty: '0',
  cumulativeQuoteQty: '0',
  updateTime: 1,
  ...o,
});

const filled = snap({ status: 'FILLED', executedQty: '0.01', cumulativeQuoteQty: '300', fills: [fill(1, '0.01')] });

describe('a placement answer covers a stream report', () => {
  it('covers the NEW and the TRADE reports of a market order the answer says is FILLED', () => {
    expect(answerCovers(filled, snap({}))).toBe(true);
    expect(answerCovers(filled, snap({ status: 'FILLED', executedQty: '0.0100', fills: [fill(1, '0.01')] }))).toBe(
      true,
    );
    expect(
      answerCovers(filled, snap({ status: 'PARTIALLY_FILLED', executedQty: '0.004', fills: [fill(1, '0.004')] })),
    ).toBe(true);
  });

  it('does not cover what the answer does not say: more executed, a later fill, another final status, another order', () => {
    const resting = snap({});
    expect(
      answerCovers(resting, snap({ status: 'PARTIALLY_FILLED', executedQty: '0.002', fills: [fill(2, '0.002')] })),
    ).toBe(false);
    expect(answerCovers(resting, snap({ status: 'CANCELED' }))).toBe(false);
    expect(answerCovers(resting, snap({ status: 'FILLED', executedQty: '0.01' }))).toBe(false);
    expect(answerCovers(filled, snap({ status: 'FILLED', executedQty: '0.01', fills: [fill(9, '0.01')] }))).toBe(false);
    expect(answerCovers(filled, snap({ status: 'EXPIRED', executedQty: '0.01' }))).toBe(false);
    expect(answerCovers(filled, snap({ exchangeOrderId: 8 }))).toBe(false);
    expect(answerCovers(filled, snap({ clientOrderId: 'bot_a-2' }))).toBe(false);
    const partly = snap({ status: 'PARTIALLY_FILLED', executedQty: '0.004', fills: [fill(1, '0.004')] });
    expect(
      answerCovers(partly, snap({ status: 'PARTIALLY_FILLED', executedQty: '0.006', fills: [fill(2, '0.002')] })),
    ).toBe(false);
  });
});

describe('PlacementAnswers', () => {
  it('holds a report for a placement in flight until its answer, then drops it only if covered', async () => {
    const answers = new PlacementAnswers();
    answers.begin('paper', 'bot_a-1');
    const early = answers.covers('paper', snap({}), 5_000);
    setTimeout(() => answers.settle('paper', 'bot_a-1', filled), 20);
    expect(await early).toBe(true);
    expect(await answers.covers('paper', snap({ status: 'CANCELED' }), 5_000)).toBe(false);
    // Another account's order with the same id is not this placement.
    expect(await answers.covers('other', snap({}), 5_000)).toBe(false);
  });

  it('relays every report when this worker sent nothing, the send failed, or the answer is late', async () => {
    const answers = new PlacementAnswers();
    expect(await answers.covers('paper', snap({}), 5_000)).toBe(false);
    answers.begin('paper', 'bot_a-1');
    answers.settle('paper', 'bot_a-1', null);
    expect(await answers.covers('paper', snap({}), 5_000)).toBe(false);
    answers.begin('paper', 'bot_a-2');
    const t = Date.now();
    expect(await answers.covers('paper', snap({ clientOrderId: 'bot_a-2' }), 50)).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
  });

  it('forgets answers after a minute', async () => {
    let now = 0;
    const answers = new PlacementAnswers(() => now);
    answers.begin('paper', 'bot_a-1');
    answers.settle('paper', 'bot_a-1', filled);
    now = 61_000;
    answers.begin('paper', 'bot_a-2');
    expect(answers.size).toBe(1);
    expect(await answers.covers('paper', snap({}), 10)).toBe(false);
  });
});
