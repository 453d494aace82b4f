/**
 * Where the durable path's time goes, from the bot's own history: the server stamps every event,
 * so for each candle the history tells when its signal was recorded, when the worker picked up the
 * workflow task and completed it, and when the placement activity was picked up. With the emission
 * time (benchmark) and the arrival time (exchange) that splits the latency into:
 *
 *   relay      emission → WorkflowExecutionSignaled   (stream service, signal RPC, server write)
 *   wftQueue   signaled → WorkflowTaskStarted        (matching hands the task to the worker)
 *   wftRun     started  → WorkflowTaskCompleted      (activation, kernel, completion RPC + write)
 *   actQueue   completed → ActivityTaskStarted       (matching hands the activity to the worker)
 *   actRun     activity started → order at exchange  (activity code, signing, REST)
 *
 * Server and benchmark read the same wall clock (one machine). Event times have microsecond
 * resolution; Date-based emission times are derived from performance.timeOrigin.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { type Summary, summarize } from './stats';

const EventType = temporal.api.enums.v1.EventType;

export interface Breakdown {
  readonly relay: Summary;
  readonly wftQueue: Summary;
  readonly wftRun: Summary;
  readonly actQueue: Summary;
  readonly actRun: Summary;
  /** Candles whose chain was found in the history. */
  readonly matched: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function ms(e: HistoryEvent): number {
  const t = e.eventTime!;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

function payloadJson(p: temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const data = p?.payloads?.[0]?.data;
  return data ? JSON.parse(Buffer.from(data).toString('utf8')) : null;
}

/** All runs of a workflow (continue-as-new splits a bot's history), oldest first. */
async function histories(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: { runId: string; start: number }[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ runId: wf.runId, start: wf.startTime.getTime() });
  runs.sort((a, b) => a.start - b.start);
  const out: HistoryEvent[][] = [];
  for (const r of runs) out.push((await client.workflow.getHandle(workflowId, r.runId).fetchHistory()).events ?? []);
  return out;
}

/**
 * @param emitted wall-clock emission time per candle open time
 * @param arrived wall-clock arrival time per client order id
 */
export async function candleBreakdown(
  client: Client,
  workflowId: string,
  emitted: ReadonlyMap<number, number>,
  arrived: ReadonlyMap<string, number>,
): Promise<Breakdown> {
  const stages = {
    relay: [] as number[],
    wftQueue: [] as number[],
    wftRun: [] as number[],
    actQueue: [] as number[],
    actRun: [] as number[],
  };
  for (const events of await histories(client, workflowId)) {
    const byId = new Map<number, HistoryEvent>();
    for (const e of events) byId.set(Number(e.eventId), e);
    const startedOf = new Map<number, HistoryEvent>();
    for (const e of events) {
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        startedOf.set(Number(e.activityTaskStartedEventAttributes!.scheduledEventId), e);
    }
    for (let i = 0; i < events.length; i++) {
      const anchor = candleAnchor(events, i);
      if (!anchor) continue;
      const emit = emitted.get(anchor.openTime);
      if (emit === undefined) continue;
      // The first workflow task started after the signal carries it; its completion schedules the order.
      let j = anchor.index + 1;
      while (j < events.length && events[j]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) j++;
      const started = events[j];
      while (j < events.length && events[j]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) j++;
      const completed = events[j];
      let k = j + 1;
      while (
        k < events.length &&
        !(
          events[k]!.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
          events[k]!.activityTaskScheduledEventAttributes?.activityType?.name === 'placeOrder'
        )
      ) {
        if (events[k]!.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) break;
        k++;
      }
      const scheduled = events[k];
      if (!started || !completed || !scheduled || scheduled.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        continue;
      const input = payloadJson(scheduled.activityTaskScheduledEventAttributes!.input) as {
        clientOrderId: string;
      } | null;
      const actStarted = startedOf.get(Number(scheduled.eventId));
      const arrival = input ? arrived.get(input.clientOrderId) : undefined;
      if (!actStarted || arrival === undefined) continue;
      stages.relay.push(ms(anchor.event) - emit);
      stages.wftQueue.push(ms(started) - ms(anchor.event));
      stages.wftRun.push(ms(completed) - ms(started));
      stages.actQueue.push(ms(actStarted) - ms(completed));
      stages.actRun.push(arrival - ms(actStarted));
    }
  }
  return {
    relay: summarize(stages.relay),
    wftQueue: summarize(stages.wftQueue),
    wftRun: summarize(stages.wftRun),
    actQueue: summarize(stages.actQueue),
    actRun: summarize(stages.actRun),
    matched: stages.relay.length,
  };
}

/**
 * Where a candle entered the history: its signal, or — delivered as an update — the (speculative)
 * workflow task scheduled for it, the first event the server stamps for an update (its acceptance
 * follows that task's completion).
 */
function candleAnchor(
  events: readonly HistoryEvent[],
  i: number,
): { event: HistoryEvent; index: number; openTime: number } | null {
  const e = events[i]!;
  if (
    e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
    e.workflowExecutionSignaledEventAttributes?.signalName === 'candle'
  ) {
    const candle = payloadJson(e.workflowExecutionSignaledEventAttributes.input) as { openTime: number } | null;
    return candle ? { event: e, index: i, openTime: candle.openTime } : null;
  }
  const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
  if (
    e.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED ||
    request?.input?.name !== 'deliverCandle'
  )
    return null;
  const candle = payloadJson(request.input.args) as { openTime: number } | null;
  let j = i - 1;
  while (j >= 0 && events[j]!.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) j--;
  return candle && j >= 0 ? { event: events[j]!, index: j, openTime: candle.openTime } : null;
}
