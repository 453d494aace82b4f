/**
 * Two futures bots started at the same moment on one account + symbol: both would pass a listing
 * check, but only one can create the slot workflow (its id is the account + symbol, conflict
 * policy FAIL). The other is refused with the clear words; after the running one is terminated
 * (the Web UI's button: no bot code runs), a new bot starts, and the slot it holds is its own.
 */
import { describe, expect, it } from 'vitest';
import { startBot } from '../../client/bots';
import { parseBotDefinition } from '../../core/bot-definition';
import { positionSlotWorkflowId, slotOwnerGone } from '../../core/futures/position-slot';
import { eventually, harnessWithWorker } from '../support/harness';

const h = harnessWithWorker('30000');

const bot = (name: string) =>
  parseBotDefinition({
    name,
    strategy: 'dca-take-profit',
    symbol: 'BTCUSDT',
    account: 'paper',
    market: 'futures',
    futures: { leverage: 5, marginType: 'ISOLATED' },
    params: { everyCandles: 1000, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
  });

const slotId = () => positionSlotWorkflowId(h.taskQueue, 'paper', 'BTCUSDT');
const refusal = (name: string, holder: string) =>
  new RegExp(
    `^bot "${name}": futures account "paper" symbol BTCUSDT is already traded by futures bot "${holder}" \\(workflow bot-${holder}(, being started)?\\)`,
  );

describe('futures position slot', () => {
  it('the owner-gone rule: running holds; closed after the claim is gone; not started yet holds for the grace', () => {
    const claim = 1_000_000;
    expect(slotOwnerGone({ running: true, startTime: 0, closeTime: null }, claim, claim + 99_999_999)).toBe(false);
    expect(slotOwnerGone({ running: false, startTime: claim, closeTime: claim + 5 }, claim, claim + 10)).toBe(true);
    expect(slotOwnerGone(null, claim, claim + 1_000)).toBe(false);
    expect(slotOwnerGone(null, claim, claim + 31_000)).toBe(true);
    expect(slotOwnerGone({ running: false, startTime: 0, closeTime: claim - 1 }, claim, claim + 1_000)).toBe(false);
  });

  it('two concurrent starts: exactly one runs, the other is refused; after Terminate a new bot starts', async () => {
    h.exchange.futures.deposit('paper', 'USDT', '90000');
    const names = ['race-a', 'race-b'];
    const outcomes = await Promise.all(
      names.map((n) =>
        startBot(h.client, bot(n), h.taskQueue).then(
          (r) => ({ name: n, started: r.started, error: null as Error | null }),
          (e: unknown) => ({ name: n, started: false, error: e as Error }),
        ),
      ),
    );
    const winners = outcomes.filter((o) => o.started);
    const losers = outcomes.filter((o) => !o.started);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = winners[0]!.name;
    const loser = losers[0]!.name;
    expect(losers[0]!.error?.message).toMatch(refusal(loser, winner));
    await expect(h.client.workflow.getHandle(`bot-${loser}`).describe()).rejects.toThrow(/not found/i);
    await h.waitForState(winner, (s) => s.eventsProcessed >= 1, 'the winner runs');
    const slot = await h.client.workflow.getHandle(slotId()).describe();
    expect(slot.status.name).toBe('RUNNING');
    expect(slot.memo?.slot).toEqual({ owner: `bot-${winner}`, botName: winner });

    // Still held while the winner runs: a later start is refused too.
    await expect(startBot(h.client, bot('race-c'), h.taskQueue)).rejects.toThrow(refusal('race-c', winner));

    // Terminate (the Web UI's button): no bot code runs. A careful user starts another bot at once.
    await h.client.workflow.getHandle(`bot-${winner}`).terminate('by hand');
    const next = await startBot(h.client, bot('race-d'), h.taskQueue);
    expect(next.started).toBe(true);
    const held = await h.client.workflow.getHandle(slotId()).describe();
    expect(held.status.name).toBe('RUNNING');
    expect(held.memo?.slot).toEqual({ owner: 'bot-race-d', botName: 'race-d' });
    await h.waitForState('race-d', (s) => s.eventsProcessed >= 1, 'the new bot runs');

    // A graceful stop releases the slot by itself (the slot workflow sees its owner gone).
    await h.handle('race-d').cancel();
    await h.handle('race-d').result();
    await eventually(async () => {
      const d = await h.client.workflow.getHandle(slotId()).describe();
      if (d.status.name === 'RUNNING') throw new Error('slot still held');
      expect(d.status.name).toBe('COMPLETED');
    }, 30_000);
  }, 120_000);
});
