/**
 * **Fault-injection tool, not a trading strategy** (`npm run torture`). dca-take-profit, except
 * that it throws on some of its events, picked by a hash of the event (so the same event throws in
 * every replay): the torture proves a strategy bug costs only its reaction, never exchange facts
 * (order status, fills, position), and never wedges a bot.
 *
 * It is registered like any strategy only because a bot workflow finds its strategy by id.
 */
import type { z } from 'zod';
import { hash53 } from '../client-ids';
import { positiveInt } from '../schema';
import { defineStrategy } from '../strategy';
import { dcaTakeProfit, dcaTakeProfitParams } from './dca-take-profit';

export const faultDcaParams = dcaTakeProfitParams
  .extend({
    /** Throw on about one event in this many. */
    throwEvery: positiveInt.default(7),
  })
  .strict();
export type FaultDcaParams = z.output<typeof faultDcaParams>;

type DcaState = ReturnType<typeof dcaTakeProfit.init>;

export const faultDca = defineStrategy<FaultDcaParams, DcaState>({
  id: 'fault-dca',
  title: 'dca-take-profit that throws on some events (fault injection)',
  description:
    'A torture tool: dca-take-profit that throws on about one event in `throwEvery` (chosen by a hash of the event), to prove a strategy bug never costs exchange facts.',
  params: faultDcaParams,
  init: (ctx) => dcaTakeProfit.init(ctx),
  onEvent(state, event, ctx) {
    if (hash53(JSON.stringify(event)) % ctx.params.throwEvery === 0)
      throw new Error(`fault-dca: injected failure on ${event.type}`);
    const { throwEvery: _t, ...params } = ctx.params;
    return dcaTakeProfit.onEvent(state, event, { ...ctx, params });
  },
});
