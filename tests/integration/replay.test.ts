/**
 * Determinism guard: histories recorded from real runs (npm run record:histories) must replay
 * against the current workflow code without nondeterminism, and an altered workflow must not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { type HistoryFacts, historyFacts, mergeFacts } from '../support/history-coverage';

const DIR = path.resolve(__dirname, '../replay/histories');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): unknown => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));

/**
 * The kinds of bot the corpus must keep guarding (issue 19), each with what its recorded runs must
 * show between them: real orders filled, the activities of its kind, and a continue-as-new.
 */
const REQUIRED: readonly {
  readonly kind: string;
  readonly strategy: string;
  readonly activities: readonly string[];
  readonly dataRequests?: boolean;
  /** The activity that placed an order later reported FILLED. */
  readonly filledVia: string;
  /** Symbols it placed orders on. */
  readonly symbols?: number;
}[] = [
  { kind: 'dca', strategy: 'dca-take-profit', activities: ['placeOrder'], filledVia: 'placeOrder' },
  { kind: 'an OCO strategy', strategy: 'smart-trade', activities: ['placeOrder', 'placeOco'], filledVia: 'placeOco' },
  {
    kind: 'a warm-up data request',
    strategy: 'rsi-dip',
    activities: ['fetchData', 'placeOrder', 'placeOco'],
    dataRequests: true,
    filledVia: 'placeOco',
  },
  {
    kind: 'the multi-symbol portfolio',
    strategy: 'macd-portfolio',
    activities: ['fetchData', 'placeOrder'],
    dataRequests: true,
    filledVia: 'placeOrder',
    symbols: 2,
  },
];

describe('replay of recorded histories', () => {
  it('has recorded histories covering continue-as-new and completion', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.some((f) => f.includes('continued_as_new'))).toBe(true);
    expect(files.some((f) => f.includes('completed'))).toBe(true);
  });

  it.each(REQUIRED)('has recorded runs of $kind ($strategy) placing and filling orders', ({ strategy, ...need }) => {
    const runs = files.map((f) => historyFacts(load(f))).filter((f: HistoryFacts) => f.strategy === strategy);
    expect(runs.length, `no recorded history of ${strategy}: npm run record:histories`).toBeGreaterThan(0);
    const all = mergeFacts(runs);
    expect(all.continuedAsNew).toBe(true);
    for (const activity of need.activities) expect(all.activities[activity] ?? 0, activity).toBeGreaterThan(0);
    if (need.dataRequests) expect(all.dataRequests).toContain('candles');
    const filled = [...all.placed].filter(([id]) => all.filled.has(id)).map(([, order]) => order);
    expect(filled.filter((o) => o.via === need.filledVia).length, `${need.filledVia}: FILLED`).toBeGreaterThan(0);
    if (need.symbols) expect(new Set(filled.map((o) => o.symbol)).size).toBeGreaterThanOrEqual(need.symbols);
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      load(file),
      workflowIdOf(file),
    );
  });

  // Under the same workflow id as the faithful replay above, so the alteration is the only
  // difference: each history must catch it on its own.
  let altered: Promise<string> | undefined;
  it.each(files)('detects a deliberately altered workflow replaying %s', async (file) => {
    altered ??= bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, '../replay/altered/workflows.ts'),
      logger: silent,
    }).then((b) => b.code);
    const code = await altered;
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code } }, load(file), workflowIdOf(file)),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});

/**
 * Histories do not hold their workflow id, and a bot's client ids derive from it (core/client-ids.ts):
 * replayed under another id, a bot would not recognise its own orders. The file name has the bot's
 * name (`<name>-<time>-<status>.json`, e.g. recorded-dca-...); the workflow id is `bot-<name>`.
 */
function workflowIdOf(file: string): string {
  const name = /^(.+)-\d{4}-\d\d-\d\dT/.exec(file)?.[1];
  if (!name) throw new Error(`${file}: not named <bot name>-<time>-<status>.json`);
  return `bot-${name}`;
}

const noop = () => {};
const silent = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
