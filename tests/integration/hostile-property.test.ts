/**
 * Property: whatever JSON arrives on whatever signal or update of a running bot, no workflow task
 * fails, the bot keeps answering queries, and a stop still completes. Random JSON, near-valid
 * candles, order reports and params patches (which reach the deeper checks), random signal names;
 * bounded in count and in time.
 */
import * as fc from 'fast-check';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { CANDLE_INTERVALS } from '../../core/market';
import { type BotStateView, botWorkflowId, setParamsUpdate, stateQuery } from '../../workflows/messages';
import { harnessWithWorker } from '../support/harness';

const SIGNALS = ['candle', 'orderUpdate', 'trigger', 'book', 'streamReconnected', 'pause', 'resume'];

const decimalish = fc.oneof(
  fc.constantFrom('0', '1', '30000', '0.001', '-1', 'NaN', 'abc', '', ' 1', '1,5', '1e5', '١'),
  fc.double().map(String),
  fc.jsonValue(),
);
const timeish = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 45 }),
  fc.constantFrom(9_000_000_000_000, -1, 1.5),
  fc.jsonValue(),
);

const nearCandle = fc.record(
  {
    symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'btcusdt', ''),
    interval: fc.oneof(fc.constantFrom(...CANDLE_INTERVALS), fc.string()),
    openTime: timeish,
    closeTime: timeish,
    open: decimalish,
    high: decimalish,
    low: decimalish,
    close: decimalish,
    volume: decimalish,
  },
  { requiredKeys: [] },
);

const nearReport = fc.record(
  {
    clientOrderId: fc.oneof(fc.string(), fc.constant('x-1')),
    symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT'),
    status: fc.constantFrom('NEW', 'FILLED', 'CANCELED', 'SUBMITTING', 'MOON'),
    executedQty: decimalish,
    cumulativeQuoteQty: decimalish,
    updateTime: timeish,
    fills: fc.array(
      fc.record({
        tradeId: timeish,
        price: decimalish,
        qty: decimalish,
        quoteQty: decimalish,
        commission: decimalish,
        commissionAsset: fc.string(),
        time: timeish,
        isMaker: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

const nearPatch = fc.record(
  {
    quantity: decimalish,
    everyCandles: fc.oneof(fc.integer(), fc.jsonValue()),
    takeProfitPct: decimalish,
    maxLots: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

type Message = { kind: 'signal'; name: string; args: unknown[] } | { kind: 'update'; args: unknown[] };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    kind: fc.constant('signal' as const),
    name: fc.oneof(fc.constantFrom(...SIGNALS), fc.string({ minLength: 1, maxLength: 20 })),
    args: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('signal' as const), name: fc.constant('candle'), args: nearCandle.map((c) => [c]) }),
  fc.record({
    kind: fc.constant('signal' as const),
    name: fc.constant('orderUpdate'),
    args: nearReport.map((r) => [r]),
  }),
  fc.record({ kind: fc.constant('update' as const), args: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('update' as const), args: nearPatch.map((p) => [p]) }),
  // Valid patches too: an accepted update interleaved with the garbage must still complete.
  fc.record({
    kind: fc.constant('update' as const),
    args: fc
      .record({ everyCandles: fc.integer({ min: 500, max: 2000 }), takeProfitPct: fc.constantFrom('0.5', '2', '10') })
      .map((p) => [p]),
  }),
);

/**
 * A bounded wait for one call: a call that never answers fails naming itself (the message sent
 * and the bot's state then), instead of the whole test timing out without saying what hung.
 */
async function within<T>(ms: number, what: () => string, call: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('random JSON at every signal and update of a running bot', () => {
  const h = harnessWithWorker();

  it('never fails a workflow task; the bot stays queryable and stoppable', async () => {
    // Short runs, so the fuzz crosses continue-as-new too (what is carried is checked at each new run).
    await h.startBot(
      {
        name: 'fuzzed',
        strategy: 'dca-take-profit',
        symbol: 'BTCUSDT',
        params: { everyCandles: 1000, quantity: '0.001' },
      },
      { maxCandleLeadMs: 60_000, continueAsNewAtHistoryLength: 150 },
    );
    await h.waitForState('fuzzed', (s) => s.eventsProcessed >= 2, 'started');
    const handle = h.handle('fuzzed');
    let sent = 0;
    let updatesRefused = 0;
    let updatesAccepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 15 }), async (messages) => {
        for (const m of messages) {
          sent++;
          const what = () =>
            `${m.kind} ${m.kind === 'signal' ? m.name : 'setParams'} ${JSON.stringify(m.args).slice(0, 300)} (message #${sent})`;
          if (m.kind === 'signal') {
            await within(30_000, what, handle.signal(m.name, ...m.args));
            continue;
          }
          try {
            await within(
              30_000,
              what,
              handle.executeUpdate(setParamsUpdate, { args: m.args as [Record<string, unknown>] }),
            );
            updatesAccepted++;
          } catch (err) {
            // A refusal is fine; anything else (a timeout, a crash) is not.
            if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            expect(err.cause?.message ?? '').not.toBe('');
            updatesRefused++;
          }
        }
        const s: BotStateView = await within(
          30_000,
          () => `the state query after message #${sent}`,
          handle.query(stateQuery),
        );
        expect(['RUNNING', 'PAUSED']).toContain(s.status);
      }),
      { numRuns: 80, interruptAfterTimeLimit: 60_000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect(sent).toBeGreaterThan(25);
    expect(updatesRefused).toBeGreaterThan(0);
    expect(updatesAccepted).toBeGreaterThan(0);
    // Every run of it (a long fuzz may continue as new).
    const failures: string[] = [];
    for await (const run of h.client.workflow.list({ query: `WorkflowId = '${botWorkflowId('fuzzed')}'` })) {
      const history = await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      for (const e of history.events ?? []) {
        const failed = e.workflowTaskFailedEventAttributes;
        // "UnhandledCommand" is the server refusing a continue-as-new because a signal just arrived:
        // Temporal's normal hand-over (the next task gets the signal), not a failure of ours.
        if (failed && failed.failure?.message !== 'UnhandledCommand') failures.push(failed.failure?.message ?? '?');
      }
    }
    expect(failures).toEqual([]);
    const state = await handle.query(stateQuery);
    expect(state.inputRejections.count).toBeGreaterThan(0);
    expect(state.generation).toBeGreaterThan(1);
    await handle.cancel();
    const summary = (await handle.result()) as BotStateView;
    expect(summary.status).toBe('STOPPED');
    console.log(
      `fuzz: ${sent} messages, ${updatesRefused} updates refused, ${updatesAccepted} accepted, ${state.inputRejections.count} signals dropped, ${state.generation} runs`,
    );
  });
});
