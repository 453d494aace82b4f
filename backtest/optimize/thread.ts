/**
 * Worker-thread entry of the evaluation pool (pool.ts): loads the data set a task names (cached),
 * evaluates, answers. Pure backtests only: no Temporal, no network, nothing native.
 */
import { parentPort } from 'node:worker_threads';
import { cachedDataset } from './datasets';
import { evaluate } from './evaluate';
import type { PoolRequest, PoolResponse } from './pool';

parentPort!.on('message', (req: PoolRequest) => {
  let res: PoolResponse;
  try {
    const data = cachedDataset(req.dataset);
    if (req.digest !== undefined && req.digest !== data.digest) {
      res = {
        id: req.id,
        error: `data set ${req.dataset.source.path} differs here (digest ${data.digest.slice(0, 12)}, expected ${req.digest.slice(0, 12)}): every worker needs the same candles`,
        dataset: true,
      };
    } else {
      res = { id: req.id, result: evaluate(data, req.job, req.task) };
    }
  } catch (err) {
    res = { id: req.id, error: (err as Error).message, dataset: (err as Error).name === 'DatasetError' };
  }
  parentPort!.postMessage(res);
});
