/**
 * What a recorded workflow history (the `temporal workflow show --output json` format) holds, read
 * from its events and their JSON payloads: the bot's definition, the activities it scheduled, the
 * orders it placed and the statuses the exchange reported for them. The replay test uses it to
 * prove the corpus covers each kind of bot it must guard (not only that files with a name exist).
 */
interface HistoryJson {
  readonly events: readonly Record<string, unknown>[];
}

export interface HistoryFacts {
  readonly strategy: string | null;
  readonly continuedAsNew: boolean;
  /** Activity type -> times scheduled. */
  readonly activities: Readonly<Record<string, number>>;
  /** Client order ids the run placed (single orders and OCO legs), with their symbol and activity. */
  readonly placed: ReadonlyMap<string, { readonly symbol: string; readonly via: string }>;
  /** Client order ids some payload of the run reported FILLED. */
  readonly filled: ReadonlySet<string>;
  /** Data requests the run sent (`fetchData`), by kind. */
  readonly dataRequests: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Every JSON payload under `node` (inputs, results, signal arguments, markers), decoded. */
function decodedPayloads(node: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const n of node) decodedPayloads(n, out);
  else if (isObject(node)) {
    const meta = node.metadata;
    if (isObject(meta) && typeof meta.encoding === 'string' && typeof node.data === 'string') {
      if (Buffer.from(meta.encoding, 'base64').toString() === 'json/plain')
        out.push(JSON.parse(Buffer.from(node.data, 'base64').toString('utf8')));
    } else for (const v of Object.values(node)) decodedPayloads(v, out);
  }
  return out;
}

/** Calls `visit` on every object inside a decoded payload. */
function walk(node: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) for (const n of node) walk(n, visit);
  else if (isObject(node)) {
    visit(node);
    for (const v of Object.values(node)) walk(v, visit);
  }
}

function firstPayload(attrs: unknown): unknown {
  return decodedPayloads(isObject(attrs) ? attrs.input : undefined)[0];
}

export function historyFacts(history: unknown): HistoryFacts {
  const events = (history as HistoryJson).events;
  const start = firstPayload(events[0]?.workflowExecutionStartedEventAttributes);
  const definition = isObject(start) && isObject(start.definition) ? start.definition : {};
  const activities: Record<string, number> = {};
  const placed = new Map<string, { symbol: string; via: string }>();
  const filled = new Set<string>();
  const dataRequests: string[] = [];
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (isObject(scheduled) && isObject(scheduled.activityType)) {
      const name = String(scheduled.activityType.name);
      activities[name] = (activities[name] ?? 0) + 1;
      const input = firstPayload(scheduled);
      if (isObject(input)) {
        const symbol = isObject(input.request) ? String(input.request.symbol) : '';
        if (name === 'placeOrder') placed.set(String(input.clientOrderId), { symbol, via: name });
        if (name === 'placeOco')
          for (const id of [input.aboveClientOrderId, input.belowClientOrderId])
            placed.set(String(id), { symbol, via: name });
        if (name === 'fetchData' && isObject(input.request)) dataRequests.push(String(input.request.kind));
      }
    }
  }
  for (const payload of decodedPayloads(events))
    walk(payload, (o) => {
      if (typeof o.clientOrderId === 'string' && o.status === 'FILLED') filled.add(o.clientOrderId);
    });
  return {
    strategy: typeof definition.strategy === 'string' ? definition.strategy : null,
    continuedAsNew: events.some((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'),
    activities,
    placed,
    filled,
    dataRequests,
  };
}

/** The facts of several runs of one bot, as one. */
export function mergeFacts(all: readonly HistoryFacts[]): Omit<HistoryFacts, 'strategy'> {
  const activities: Record<string, number> = {};
  for (const f of all)
    for (const [name, n] of Object.entries(f.activities)) activities[name] = (activities[name] ?? 0) + n;
  return {
    continuedAsNew: all.some((f) => f.continuedAsNew),
    activities,
    placed: new Map(all.flatMap((f) => [...f.placed])),
    filled: new Set(all.flatMap((f) => [...f.filled])),
    dataRequests: all.flatMap((f) => f.dataRequests),
  };
}
