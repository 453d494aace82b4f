/** Messages of the optimisation workflow, shared by the client and the workflow. */
import { defineQuery } from '@temporalio/workflow';

export const OPTIMIZE_WORKFLOW_TYPE = 'optimizeWorkflow';

export interface OptimizeProgress {
  readonly stage: 'evolve' | 'judge' | 'done';
  readonly fold: number;
  readonly folds: number;
  readonly generation: number;
  readonly generations: number;
  /** Evaluations finished, the current step's finished batches included. */
  readonly evaluations: number;
  readonly maxEvaluations: number;
  readonly bestFitness: number | null;
}

export const optimizeProgressQuery = defineQuery<OptimizeProgress>('optimizeProgress');
