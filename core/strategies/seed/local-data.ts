/**
 * Run a strategy whose data comes from `request` intents (model inference, order-book summaries,
 * other symbols' candles) where nothing executes those requests, such as the backtester, which
 * answers only its own symbol's candles: the wrapper answers them in-process from a resolver, at
 * once, and hands the answer back to the strategy as the `data` event it would have received.
 * Requests the resolver leaves alone (returns undefined) go on to the kernel unchanged.
 *
 * The resolver must be synchronous and deterministic (the backtester is): precompute anything
 * asynchronous, e.g. a model's predictions for every candle. The strategy itself is unchanged; the
 * only difference from live is that the answer arrives in the same step as the request. Pure.
 */
import type { DataRequest, Decision, Intent, Json, Strategy } from '../../strategy';

export type LocalResolver = (
  request: DataRequest,
  at: { readonly now: number; readonly requestId: string },
) => Json | undefined;

/** Requests answered per event, at most: a resolver answering a request with another request loops. */
const MAX_LOCAL_ANSWERS = 1_000;

export function withLocalData<P, S>(inner: Strategy<P, S>, resolve: LocalResolver): Strategy<P, S> {
  return {
    ...inner,
    onEvent(state, event, ctx): Decision<S> {
      const first = inner.onEvent(state, event, ctx);
      let s = first.state;
      const queue: Intent[] = [...(first.intents ?? [])];
      const out: Intent[] = [];
      let answered = 0;
      while (queue.length > 0) {
        const intent = queue.shift()!;
        const answer =
          intent.kind === 'request'
            ? resolve(intent.request, { now: ctx.now, requestId: intent.requestId })
            : undefined;
        if (intent.kind !== 'request' || answer === undefined) {
          out.push(intent);
          continue;
        }
        if (++answered > MAX_LOCAL_ANSWERS)
          throw new Error(`${inner.id}: more than ${MAX_LOCAL_ANSWERS} local data answers in one event`);
        const next = inner.onEvent(
          s,
          { type: 'data', requestId: intent.requestId, kind: intent.request.kind, result: answer },
          ctx,
        );
        s = next.state;
        queue.unshift(...(next.intents ?? []));
      }
      return { state: s, intents: out };
    },
  };
}
