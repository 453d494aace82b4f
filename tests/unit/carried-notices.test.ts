/**
 * Notices a run held while it rolled over travel in the next run's start input
 * (workflows/continue-as-new.ts NOTICES_CARRIED_PATCH): checked with the rest of it, like any input.
 */
import { describe, expect, it } from 'vitest';
import { createBotState } from '../../core/kernel';
import type { Notice } from '../../core/notices';
import { dcaTakeProfit } from '../../core/strategies/dca-take-profit';
import { carriedStateSchema } from '../../core/workflow-input-schemas';
import { kernelSetup } from '../support/kernel-fixtures';

const carried = {
  state: createBotState(kernelSetup('dca-take-profit', { quantity: '0.001' }), dcaTakeProfit, 1_000),
  inbox: [],
  generation: 2,
  paramsUpdatesApplied: 0,
};
const notice: Notice = { id: 'k:fill:x-1:1', kind: 'fill', bot: 'k', time: 1_000, text: '🟢 k: entry filled' };

const problems = (notices: unknown) => {
  const r = carriedStateSchema.safeParse({ ...carried, notices });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('notices carried over continue-as-new', () => {
  it('are accepted as the previous run wrote them, and absent in runs from before', () => {
    expect(problems([notice])).toEqual([]);
    expect(problems([])).toEqual([]);
    expect(carriedStateSchema.safeParse(carried).success).toBe(true);
  });

  it('are refused, naming the field, when malformed', () => {
    expect(problems([{ ...notice, kind: 'gossip' }])[0]).toMatch(/^notices\.0\.kind/);
    expect(problems([{ ...notice, id: '' }])[0]).toMatch(/^notices\.0\.id/);
    expect(problems([{ ...notice, text: 42 }])[0]).toMatch(/^notices\.0\.text/);
    expect(problems([{ ...notice, time: -1 }])[0]).toMatch(/^notices\.0\.time/);
    expect(problems([{ ...notice, extra: true }])[0]).toMatch(/^notices\.0/);
    expect(problems('x')[0]).toMatch(/^notices/);
    expect(problems(Array.from({ length: 1_001 }, () => notice))[0]).toMatch(/^notices/);
  });
});
