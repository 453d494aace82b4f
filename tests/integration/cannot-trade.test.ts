/**
 * A bot that cannot trade says so: refused by `bots start`/`validate` when a worker can tell
 * (unknown account, unknown symbol, refused key, sizes below the filters), and otherwise visible as
 * BLOCKED with its reason in `state`, the BotStatus search attribute and the memo — never RUNNING
 * for ever. It recovers when the reason goes away (params fixed, key accepted again).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { runCli } from '../../client/cli';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { createBotWorker } from '../../workers/worker';
import { BOT_WORKFLOW_TYPE, type BotStateView, pauseSignal, setParamsUpdate } from '../../workflows/messages';
import { BotStatusKey } from '../../workflows/search-attributes';
import { Harness, eventually } from '../support/harness';

const run = promisify(execFile);

describe('bots that cannot trade', () => {
  const h = new Harness();
  const cli = ensureTemporalCli();
  const temporal = async (...args: string[]) =>
    (await run(cli!, [...args, '--address', h.temporal.address], { encoding: 'utf8' })).stdout;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cannot-trade-'));
  const dca = (name: string, extra: Record<string, unknown> = {}, params: Record<string, unknown> = {}) => ({
    name,
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    interval: '1m',
    account: 'paper',
    params: { everyCandles: 1, quantity: '0.001', ...params },
    ...extra,
  });

  beforeAll(async () => {
    await h.start();
    h.exchange.market.setPrice('BTCUSDT', '30000');
    // This worker has the paper account and one whose key the exchange does not know.
    const worker = await createBotWorker({
      temporal: h.temporal,
      accounts: [h.account, { ...h.account, name: 'badkey', apiKey: 'not-a-key-the-exchange-knows' }],
      workflowBundlePath: inject('workflowBundlePath'),
      log: () => {},
    });
    h.workers.push(worker);
    void worker.run();
    process.env.TEMPORAL_ADDRESS = h.temporal.address;
    process.env.TEMPORAL_TASK_QUEUE = h.taskQueue;
  });
  afterAll(() => h.stop());

  async function blockedState(name: string): Promise<BotStateView> {
    return h.waitForState(name, (s) => s.status === 'BLOCKED' && s.blocked !== null, 'BLOCKED');
  }

  it.each([
    [
      'an account the worker does not have',
      dca('no-account', { account: 'elsewhere' }),
      'account',
      /account: account "elsewhere" is not configured on this worker \(configured: paper, badkey\)/,
    ],
    [
      'an unknown symbol',
      dca('no-symbol', { symbol: 'BTCUSDX' }),
      'symbol',
      /symbol: BTCUSDX is not a symbol of account "paper"'s exchange \(-1121/,
    ],
    [
      'a key the exchange refuses',
      dca('bad-key', { account: 'badkey' }),
      'credentials',
      /account: the exchange refused account "badkey"'s API key \(-2015/,
    ],
    [
      'a quantity below the lot minimum',
      dca('tiny-qty', {}, { quantity: '0.000001' }),
      'filters',
      /params\.quantity: the exchange would refuse every order: quantity 0\.000001 rounds to 0, below minQty 0\.00001/,
    ],
    [
      'an order value below the minimum notional',
      dca('tiny-value', {}, { quantity: '0.0001' }),
      'filters',
      /params\.quantity: .*order value 3 USDT is below the minimum notional 5/,
    ],
  ])('%s: BLOCKED with the reason in state, search attribute and memo', async (_what, definition, kind, reason) => {
    await h.startBot(definition as never);
    const s = await blockedState(definition.name);
    expect(s.blocked).toMatchObject({ kind });
    expect(s.blocked!.reason).toMatch(reason);
    expect(s.stats.ordersPlaced).toBe(0);
    const d = await eventually(async () => {
      const described = await h.handle(definition.name).describe();
      expect(described.typedSearchAttributes.get(BotStatusKey)).toBe('BLOCKED');
      return described;
    });
    expect(String(d.memo?.blocked)).toMatch(reason);
    // Streams never route to it: it has no routing memo.
    expect(d.memo?.bot).toBeUndefined();
  });

  it('`bots status` shows them BLOCKED with the reason', async () => {
    const lines: string[] = [];
    await runCli(['status', 'no-symbol'], (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(
      /no-symbol\s+dca-take-profit\s+BTCUSDX\s+BLOCKED .*blocked: symbol: BTCUSDX is not a symbol/,
    );
  });

  it('the raw temporal CLI lists blocked bots by their search attribute', async () => {
    // Visibility follows each bot's search attribute a moment later: wait for both.
    const listed = await eventually(async () => {
      const out = await temporal('workflow', 'list', '--query', `BotStatus='BLOCKED' AND TaskQueue='${h.taskQueue}'`);
      expect(out).toContain('bot-no-symbol');
      expect(out).toContain('bot-tiny-qty');
      return out;
    });
    expect(listed).toContain('bot-tiny-qty');
  });

  it('a blocked bot whose params are fixed starts trading; a stop of a blocked one completes', async () => {
    const handle = h.handle('tiny-qty');
    const result = await handle.executeUpdate(setParamsUpdate, { args: [{ quantity: '0.001' }] });
    expect(result).toMatchObject({ params: { quantity: '0.001' } });
    await h.waitForState(
      'tiny-qty',
      (s) => s.status === 'RUNNING' && s.blocked === null && s.eventsProcessed >= 2,
      'unblocked',
    );
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m');
        await h.waitForState('tiny-qty', (s) => s.stats.ordersPlaced >= 1, 'an order', 3_000);
      },
      30_000,
      0,
    );
    expect((await handle.describe()).typedSearchAttributes.get(BotStatusKey)).toBe('RUNNING');

    await h.handle('no-symbol').cancel();
    const summary = (await h.handle('no-symbol').result()) as BotStateView;
    expect(summary.status).toBe('STOPPED');
    expect(summary.stopReason).toMatch(/^cancelled while blocked \(symbol: BTCUSDX/);
  });

  it('setParams refuses sizes the exchange would refuse on every order', async () => {
    const err = await h
      .handle('tiny-qty')
      .executeUpdate(setParamsUpdate, { args: [{ quantity: '0.000002' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(
      /params\.quantity: the exchange would refuse every order: quantity 0\.000002 rounds to 0/,
    );
  });

  it('a pause sent while blocked holds across the blocked run rolling over, and once it can trade', async () => {
    // Rechecks every 5 s and a 50-event bound: the blocked run rolls over within a few rechecks.
    await h.startBot(dca('paused-blocked', {}, { quantity: '0.000001' }) as never, {
      blockedRecheckMs: 5_000,
      continueAsNewAtHistoryLength: 50,
    });
    await blockedState('paused-blocked');
    const handle = h.handle('paused-blocked');
    const firstRun = (await handle.describe()).runId;
    await handle.signal(pauseSignal);
    await eventually(
      async () => {
        const d = await handle.describe();
        expect(d.runId).not.toBe(firstRun);
        expect(d.status.name).toBe('RUNNING');
      },
      60_000,
      500,
    );
    // The run now going was started by the blocked one, with the pause in its input.
    const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = JSON.parse(Buffer.from(started?.input?.payloads?.[0]?.data ?? []).toString()) as unknown;
    expect(input).toMatchObject({ heldWhileBlocked: { inbox: [{ type: 'pause' }] } });
    expect(input).not.toHaveProperty('carried');

    await handle.executeUpdate(setParamsUpdate, { args: [{ quantity: '0.001' }] });
    const s = await h.waitForState('paused-blocked', (x) => x.blocked === null && x.eventsProcessed >= 2, 'unblocked');
    expect(s.status).toBe('PAUSED');
    // A candle reaches it (the kernel counts it) and buys nothing: it is paused.
    await eventually(
      async () => {
        h.exchange.market.closeCandle('BTCUSDT', '1m');
        await h.waitForState('paused-blocked', (x) => x.eventsProcessed > s.eventsProcessed, 'a candle', 3_000);
      },
      30_000,
      0,
    );
    expect((await h.state('paused-blocked')).stats.ordersPlaced).toBe(0);
  });

  it('a bot whose key stops working mid-run becomes BLOCKED and recovers when it works again', async () => {
    await h.startBot(dca('revoked', {}, { everyCandles: 1000 }) as never, {
      reconcile: { idleEveryMs: 1_000, openOrdersEveryMs: 1_000, staleEveryMs: 1_000 },
    });
    await h.waitForState('revoked', (s) => s.status === 'RUNNING' && s.eventsProcessed >= 2, 'running');
    const fault = h.exchange.faults.add({
      kind: 'fail-before-executing',
      match: { endpoint: 'GET /api/v3/account' },
      status: 401,
      body: 'json',
      code: -2015,
      count: -1,
    });
    const s = await blockedState('revoked');
    expect(s.blocked).toMatchObject({ kind: 'credentials' });
    expect(s.blocked!.reason).toMatch(/-2015/);
    h.exchange.faults.remove(fault);
    await h.waitForState('revoked', (x) => x.status === 'RUNNING' && x.blocked === null, 'unblocked again');
  });

  describe('refused before anything starts, when a worker can tell', () => {
    it('`bots start` refuses the whole file with every reason, starting nothing', async () => {
      const file = path.join(dir, 'cannot.json');
      writeFileSync(
        file,
        JSON.stringify([
          dca('fine-one'),
          dca('cli-no-symbol', { symbol: 'ETHUSDX' }),
          dca('cli-tiny', {}, { quantity: '0.000001' }),
        ]),
      );
      const err = await runCli(['start', file], () => {}).catch((e: unknown) => e as Error);
      expect((err as Error).message).toMatch(/not started, these bots could not trade:/);
      expect((err as Error).message).toContain(`${file}: bot "cli-no-symbol" (#2): symbol: ETHUSDX is not a symbol`);
      expect((err as Error).message).toContain(
        `${file}: bot "cli-tiny" (#3): params.quantity: the exchange would refuse every order`,
      );
      for (const id of ['bot-fine-one', 'bot-cli-no-symbol', 'bot-cli-tiny']) {
        await expect(h.client.workflow.getHandle(id).describe()).rejects.toThrow(/not found/i);
      }
    });

    it('`bots validate` says the same, and confirms a file that can trade', async () => {
      const bad = path.join(dir, 'cannot-validate.json');
      writeFileSync(bad, JSON.stringify([dca('v-1', { account: 'elsewhere' })]));
      await expect(runCli(['validate', bad], () => {})).rejects.toThrow(
        /bot "v-1" \(#1\): account: account "elsewhere" is not configured on this worker/,
      );
      const good = path.join(dir, 'can.json');
      writeFileSync(good, JSON.stringify([dca('v-2')]));
      const lines: string[] = [];
      expect(await runCli(['validate', good], (l) => lines.push(l))).toBe(0);
      expect(lines.at(-1)).toMatch(/a worker confirms every bot can trade/);
    });

    it('a raw start (no client check) of an unknown symbol shows BLOCKED, not RUNNING', async () => {
      await h.client.workflow.start(BOT_WORKFLOW_TYPE, {
        workflowId: 'bot-raw-blocked',
        taskQueue: h.taskQueue,
        args: [{ definition: dca('raw-blocked', { symbol: 'XYZUSDT' }) }],
      });
      const s = await h.waitForState('raw-blocked', (x) => x.status === 'BLOCKED', 'BLOCKED');
      expect(s.blocked?.reason).toMatch(/XYZUSDT is not a symbol/);
    });
  });
});
