/**
 * The worker's data handlers: work a strategy delegates through `request` intents (model
 * inference, order-book analysis, test orders). Native code (onnxruntime) runs here, never in the
 * workflow sandbox, and only small answers travel back into the history.
 */
import type { DataRequest, Json } from '../core/strategy';
import { createBookHandler, customHandlers } from './book';
import type { ExchangeAccount } from './exchange-account';
import { createInferenceHandler } from './inference';
import type { DataHandler } from './market';
import { orderParams } from './orders';
import { FailureType } from './errors';
import { ApplicationFailure } from '@temporalio/common';
import type { OrderRequest } from '../core/orders';

function invalid(message: string): never {
  throw ApplicationFailure.create({ type: FailureType.InvalidRequest, nonRetryable: true, message });
}

/** The exchange's test-order endpoint: validates an order like a real one, places nothing (the seeds' dry run). */
async function testOrder(input: Json, account: ExchangeAccount): Promise<Json> {
  const o = input as unknown as OrderRequest;
  if (!o || typeof o !== 'object' || !o.symbol || !o.side || !o.type) invalid('testOrder needs symbol, side and type');
  try {
    await account.call('orderTest', 1, (r) =>
      r.orderTest(orderParams(o, `test-${Date.now().toString(36)}`, account.config.recvWindowMs)),
    );
    return { ok: true, order: input };
  } catch (err) {
    const c = account.classify(err);
    if (c.kind === 'rejected' || c.kind === 'duplicate' || c.kind === 'notFound')
      return { ok: false, code: c.code, message: c.message };
    throw err;
  }
}

export function defaultDataHandlers(): Partial<Record<DataRequest['kind'], DataHandler>> {
  const inference = createInferenceHandler();
  const book = createBookHandler();
  return {
    inference: (request, account) => inference(request, account),
    book: (request, account) => book(request, account),
    custom: async (request, account) => {
      if (request.kind !== 'custom') invalid(`custom handler got "${request.kind}"`);
      switch (request.name) {
        case 'bookSummary':
          return customHandlers.bookSummary(request.input, account);
        case 'testOrder':
          return testOrder(request.input, account);
        default:
          return invalid(`no custom data handler named "${request.name}" on this worker`);
      }
    },
  };
}
