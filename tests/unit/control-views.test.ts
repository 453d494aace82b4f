/**
 * What the control API and the Web UI say about a bot, from its state: one-line activity
 * summaries, current details, decisions, fills, the PnL curve, the field names pulled out of
 * refusals, stream freshness and the accounts' public endpoints.
 */
import { describe, expect, it } from 'vitest';
import { candleFresh } from '../../api/health';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { fieldsOf, toHttpError } from '../../api/http';
import { BotCommandError } from '../../client/bots';
import { publicEndpointsFromEnv } from '../../api/market-data';
import {
  cancelSummary,
  currentDetailsOf,
  decisionsOf,
  fillsOf,
  ocoSummary,
  placeSummary,
  pnlCurve,
  staticSummaryOf,
} from '../../core/digest';
import type { OrderRecord } from '../../core/orders';

function order(over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    clientOrderId: 'bot_x-1',
    tag: 'buy-1',
    request: { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' },
    purpose: 'entry',
    reason: 'dca: candle #3',
    status: 'FILLED',
    executedQty: '0.01',
    cumulativeQuoteQty: '20',
    fills: [
      {
        tradeId: 7,
        price: '2000',
        qty: '0.01',
        quoteQty: '20',
        commission: '0.00001',
        commissionAsset: 'ETH',
        time: 5_000,
        isMaker: false,
      },
    ],
    cancelRequested: false,
    createdAt: 4_000,
    updatedAt: 5_000,
    ...over,
  };
}

describe('summaries for the Web UI', () => {
  it('writes one line per order activity: side, amount, symbol, type, price, tag, purpose, reason', () => {
    expect(placeSummary(order().request, order())).toBe('BUY 0.01 ETHUSDT MARKET — buy-1 entry: dca: candle #3');
    expect(
      placeSummary({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '150.50000' }, undefined),
    ).toBe('BUY 150.5 USDT BTCUSDT MARKET');
    expect(
      placeSummary(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.5', price: '31000.00' },
        order({ tag: 'tp-1', purpose: 'exit', reason: `take profit ${'x'.repeat(300)}` }),
      ),
    ).toMatch(/^SELL 0\.5 BTCUSDT LIMIT @ 31000 — tp-1 exit: take profit x+…$/);
    expect(
      placeSummary(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.5', price: '1' },
        order({ reason: 'x'.repeat(300) }),
      ).length,
    ).toBe(160);
    expect(
      ocoSummary(
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          quantity: '0.1',
          above: { type: 'LIMIT_MAKER', price: '32000' },
          below: { type: 'STOP_LOSS', stopPrice: '29000' },
        },
        order({ tag: 'exit', purpose: 'exit', reason: 'bracket' }),
      ),
    ).toBe('OCO SELL 0.1 BTCUSDT: above LIMIT_MAKER 32000 / below STOP_LOSS 29000 — exit exit: bracket');
    expect(
      cancelSummary(
        'bot_x-9',
        'BTCUSDT',
        order({ tag: 'tp-2', request: { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT' } }),
      ),
    ).toBe('CANCEL SELL tp-2 bot_x-9 on BTCUSDT');
    expect(staticSummaryOf({ name: 'b', strategy: 'grid', symbol: 'BTCUSDT', interval: '1h', account: 'main' })).toBe(
      'grid on BTCUSDT 1h · account main',
    );
  });

  it('describes the current state: status, position, PnL at the last price, open orders, last decision', () => {
    const text = currentDetailsOf(
      {
        title: 'dca on ETHUSDT 1m · account paper',
        status: 'PAUSED',
        symbol: 'ETHUSDT',
        position: { qty: '0.5', avgEntryPrice: '2000', realizedPnl: '-1.5' },
        lastPrice: '2010',
        openOrders: [order()],
        strategyState: { decisions: [{ time: 9_000, action: 'skip', reason: 'RSI 71 above 70' }] },
      },
      [order()],
    );
    expect(text).toBe(
      'dca on ETHUSDT 1m · account paper\n\n**PAUSED** · position 0.5 @ 2000 · realised -1.5 USDT · unrealised 5 USDT · 1 open order · last 2010\n\nlast decision 1970-01-01 00:00:09 UTC — skip: RSI 71 above 70',
    );
    expect(
      currentDetailsOf(
        {
          status: 'RUNNING',
          symbol: 'ETHUSDT',
          position: { qty: '0', avgEntryPrice: '0', realizedPnl: '0' },
          lastPrice: null,
          openOrders: [],
          strategyState: null,
        },
        [],
      ),
    ).toBe('**RUNNING** · position flat · realised 0 USDT · unrealised — · 0 open orders\n\nno decision yet');
  });
});

describe('views of the control API', () => {
  it('merges the strategy decisions and the orders placed, oldest first; lists fills with their order', () => {
    const decisions = decisionsOf(
      { decisions: [{ time: 4_500, action: 'hold', reason: 'no cross', facts: { macd: 1 } }, { junk: true }] },
      [
        order(),
        order({
          clientOrderId: 'bot_x-2',
          tag: 'tp-1',
          purpose: 'exit',
          reason: undefined,
          rejectReason: 'filters',
          createdAt: 6_000,
          fills: [],
        }),
      ],
    );
    expect(decisions.map((d) => `${d.time} ${d.source} ${d.action}: ${d.reason}`)).toEqual([
      '4000 order BUY buy-1 (entry): dca: candle #3',
      '4500 strategy hold: no cross',
      '6000 order BUY tp-1 (exit): rejected: filters',
    ]);
    expect(fillsOf([order()])).toEqual([
      expect.objectContaining({
        time: 5_000,
        side: 'BUY',
        tag: 'buy-1',
        purpose: 'entry',
        price: '2000',
        reason: 'dca: candle #3',
      }),
    ]);
  });

  it('draws the PnL curve from the round trips kept and ends at the true realised figure plus the open position', () => {
    const trips = [
      { openedAt: 1, closedAt: 100, entryQty: '1', avgEntryPrice: '10', avgExitPrice: '11', pnl: '1' },
      { openedAt: 101, closedAt: 200, entryQty: '1', avgEntryPrice: '10', avgExitPrice: '9', pnl: '-0.5' },
    ];
    // 3 realised in total: 2.5 of it from trips older than the ones kept.
    const curve = pnlCurve(trips, '3', { qty: '2', avgEntryPrice: '10', realizedPnl: '3' }, '10.25', 300);
    expect(curve).toEqual([
      { time: 100, realized: '3.5', total: '3.5' },
      { time: 200, realized: '3', total: '3' },
      { time: 300, realized: '3', total: '3.5' },
    ]);
  });

  it('names the fields of refusals, whatever label comes first', () => {
    expect(
      fieldsOf([
        'request body: bot "a" (#2): params.levels: must be greater than 0',
        'bot "b": interval: must be one of 1m',
        'body.username: is required',
        'no field here',
      ]),
    ).toEqual(['params.levels', 'interval', 'body.username']);
  });

  it("maps the client's explained errors by their cause: a validator's refusal names the field, Temporal down is a 503", () => {
    const refused = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.nonRetryable('bot "a": params.takeProfitPct: must be a percentage above 0 and below 1000'),
    );
    const r = toHttpError(
      new BotCommandError(
        'params of bot "a" refused: bot "a": params.takeProfitPct: must be a percentage above 0 and below 1000',
        { cause: refused },
      ),
    );
    expect(r).toMatchObject({ statusCode: 400, code: 'rejected', extra: { fields: ['params.takeProfitPct'] } });
    expect(r.message).toBe('bot "a": params.takeProfitPct: must be a percentage above 0 and below 1000');
    const down = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: 14 });
    expect(toHttpError(new BotCommandError('cannot reach Temporal at 127.0.0.1:1', { cause: down }))).toMatchObject({
      statusCode: 503,
      code: 'unavailable',
      message: 'cannot reach Temporal at 127.0.0.1:1',
    });
    expect(toHttpError(new BotCommandError('no bot named "x"'))).toMatchObject({ statusCode: 404, code: 'not_found' });
  });

  it('calls a bot stale when no candle closed within two intervals (with a grace)', () => {
    const m = 60_000;
    expect(candleFresh('1m', 10 * m, 0, 11 * m + 5_000)).toBe(true);
    expect(candleFresh('1m', 10 * m, 0, 13 * m + 31_000)).toBe(false);
    expect(candleFresh('1m', null, 0, 60_000)).toBeNull(); // just started: none expected yet
    expect(candleFresh('1m', null, 0, 10 * m)).toBe(false);
    expect(candleFresh('1d', Date.UTC(2026, 0, 1), 0, Date.UTC(2026, 0, 3, 12))).toBe(true);
  });

  it("reads only the accounts' public REST bases from the worker's settings", () => {
    expect(
      publicEndpointsFromEnv({
        BOT_ACCOUNTS: 'paper, main',
        ACCOUNT_PAPER_HTTP_BASE: 'http://127.0.0.1:8090',
        ACCOUNT_MAIN_HTTP_BASE: 'https://api.binance.com',
        ACCOUNT_MAIN_API_SECRET: 'never read',
      }),
    ).toEqual({ paper: 'http://127.0.0.1:8090', main: 'https://api.binance.com' });
    expect(publicEndpointsFromEnv({ BINANCE_API_KEY: 'k', BINANCE_API_TEST: 'true' })).toEqual({
      binance: 'https://testnet.binance.vision',
    });
  });
});
