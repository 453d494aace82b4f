/**
 * Run an optimisation in this process: the search state machine (search.ts) driven with the
 * evaluations of each step spread over worker threads (pool.ts), one backtest per core.
 */
import type { EvalTask, Evaluation } from './evaluate';
import { EvalPool } from './pool';
import { type OptimizeResult, type OptimizeSpec, buildResult } from './result';
import { type SearchPlan, type SearchState, advanceSearch, pendingTasks, startSearch } from './search';

export type TaskEvaluator = (tasks: readonly EvalTask[], onDone: (done: number) => void) => Promise<Evaluation[]>;

export interface SearchProgress {
  readonly state: SearchState;
  /** Evaluations finished in the step under way. */
  readonly stepDone: number;
  readonly stepTotal: number;
}

/** Drive the search to its end with any evaluator (threads here, a pure function in tests). */
export async function runSearch(
  plan: SearchPlan,
  evaluateTasks: TaskEvaluator,
  onProgress?: (p: SearchProgress) => void,
): Promise<SearchState> {
  let state = startSearch(plan);
  while (state.stage !== 'done') {
    const tasks = pendingTasks(plan, state);
    const s = state;
    const results =
      tasks.length === 0
        ? []
        : await evaluateTasks(tasks, (done) => onProgress?.({ state: s, stepDone: done, stepTotal: tasks.length }));
    state = advanceSearch(plan, state, tasks, results);
    onProgress?.({ state, stepDone: 0, stepTotal: 0 });
  }
  return state;
}

export async function optimizeLocally(
  spec: OptimizeSpec,
  o: { readonly threads?: number; readonly onProgress?: (p: SearchProgress) => void } = {},
): Promise<OptimizeResult> {
  const pool = new EvalPool(o.threads);
  try {
    const state = await runSearch(
      spec.plan,
      (tasks, onDone) => pool.runAll(spec.dataset, spec.job, tasks, onDone, spec.digest),
      o.onProgress,
    );
    return buildResult(spec, state);
  } finally {
    await pool.close();
  }
}
