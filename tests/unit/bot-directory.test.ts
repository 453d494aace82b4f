/**
 * The worker's directory of running bots (workers/directory.ts): a full listing at most every ten
 * times what the last one took, the runs started since in between, and a bot missing from the full
 * listings kept for a grace period (a continue-as-new must not lose a candle).
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { BotDirectory } from '../../workers/directory';

interface Run {
  workflowId: string;
  startTime: Date;
  memo: { bot: Record<string, unknown> };
}

const memo = (tag: string, watches: Record<string, unknown> = {}) => ({
  bot: { tag, account: 'paper', symbol: 'BTCUSDT', interval: '1m', watches },
});

/** A visibility store answering the directory's two queries; each listing "takes" `costMs` of the clock. */
function fakeVisibility(clock: { t: number }, costMs: number) {
  const runs: Run[] = [];
  const queries: string[] = [];
  const client = {
    workflow: {
      list({ query }: { query: string }) {
        queries.push(query);
        const since = /StartTime >= '([^']+)'/.exec(query)?.[1];
        const rows = runs.filter((r) => !since || r.startTime.getTime() >= Date.parse(since));
        return (async function* () {
          clock.t += costMs;
          yield* rows;
        })();
      },
    },
  } as unknown as Client;
  return { runs, queries, client };
}

describe('bot directory', () => {
  it('lists every bot at most every ten times a full listing took, and new runs in between', async () => {
    const clock = { t: Date.UTC(2026, 11, 3, 12) };
    const v = fakeVisibility(clock, 500);
    const dir = new BotDirectory(v.client, 'q', { now: () => clock.t });
    v.runs.push({ workflowId: 'bot-a', startTime: new Date(clock.t - 3_600_000), memo: memo('a_1') });
    expect((await dir.refresh()).map((b) => b.tag)).toEqual(['a_1']);
    expect(v.queries[0]).not.toMatch(/StartTime/);

    // A new bot 2 s later comes with a listing of recent runs only; bot a's memo change waits.
    clock.t += 2_000;
    v.runs[0]!.memo = memo('a_1', { stop: { direction: 'below', price: '1' } });
    v.runs.push({ workflowId: 'bot-b', startTime: new Date(clock.t - 500), memo: memo('b_1') });
    const two = await dir.refresh();
    expect(v.queries[1]).toMatch(/AND StartTime >= '/);
    expect(two.map((b) => b.tag).sort()).toEqual(['a_1', 'b_1']);
    expect(two.find((b) => b.tag === 'a_1')!.watches).toEqual({});

    // 10 × 500 ms after the first full listing began: the next full one, with the memo change.
    clock.t += 3_000;
    const three = await dir.refresh();
    expect(v.queries[2]).not.toMatch(/StartTime/);
    expect(three.find((b) => b.tag === 'a_1')!.watches).toEqual({ stop: { direction: 'below', price: '1' } });
  });

  it('keeps a cheap directory as fresh as before: a full listing at every refresh', async () => {
    const clock = { t: Date.UTC(2026, 11, 3, 12) };
    const v = fakeVisibility(clock, 5);
    const dir = new BotDirectory(v.client, 'q', { now: () => clock.t });
    for (let i = 0; i < 3; i++) {
      await dir.refresh();
      clock.t += 2_000;
    }
    expect(v.queries.filter((q) => q.includes('StartTime'))).toEqual([]);
  });

  it('keeps a bot missing from the full listings for the grace period, and takes its new run', async () => {
    const clock = { t: Date.UTC(2026, 11, 3, 12) };
    const v = fakeVisibility(clock, 5);
    const dir = new BotDirectory(v.client, 'q', { now: () => clock.t });
    v.runs.push({ workflowId: 'bot-a', startTime: new Date(clock.t - 60_000), memo: memo('a_1') });
    v.runs.push({ workflowId: 'bot-c', startTime: new Date(clock.t - 60_000), memo: memo('c_1') });
    await dir.refresh();
    // bot-a continues as new: its old run closed, the new one not listed yet; bot-c stopped.
    v.runs.splice(0, 2);
    clock.t += 2_000;
    expect((await dir.refresh()).map((b) => b.tag).sort()).toEqual(['a_1', 'c_1']);
    v.runs.push({ workflowId: 'bot-a', startTime: new Date(clock.t), memo: memo('a_2') });
    clock.t += 2_000;
    expect((await dir.refresh()).map((b) => b.tag).sort()).toEqual(['a_2', 'c_1']);
    clock.t += 16_000;
    expect((await dir.refresh()).map((b) => b.tag)).toEqual(['a_2']);
  });
});
