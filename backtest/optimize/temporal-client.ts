import type { OptimizeResult, OptimizeSpec } from './result';
export async function optimizeOnTemporal(_spec: OptimizeSpec, _o: { batchSize: number; log: (m: string) => void; onProgress: (p: { evaluations: number; fold: number; folds: number; generation: number; generations: number; bestFitness: number | null }) => void }): Promise<OptimizeResult> {
  throw new Error('not yet');
}
