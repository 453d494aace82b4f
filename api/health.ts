/**
 * GET /api/v1/health (no login: for monitors): Temporal reachable, a worker polling the bots'
 * task queue (workflow and activity pollers seen in the last minute), and the streams fresh (every
 * running bot saw a closed candle within two of its intervals). 200 when Temporal and a worker are
 * there, 503 otherwise; stale streams make it "degraded". Counts only: no bot names without login.
 */
import type { Client } from '@temporalio/client';
import { type CandleInterval, intervalMs } from '../core/market';
import { listBots } from '../client/bots';
import { type BotsContext, createBotQueries, mapLimit } from './bots';
import type { RouteTable } from './http';

/** temporal.api.enums.v1.TaskQueueType */
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;
const POLLER_FRESH_MS = 60_000;
/** A candle may arrive a little after its close (stream relay, workflow task). */
const CANDLE_GRACE_MS = 30_000;
const CACHE_MS = 5_000;

async function pollers(client: Client, namespace: string, taskQueue: string, type: number): Promise<number> {
  const r = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: type,
  });
  const now = Date.now();
  return (r.pollers ?? []).filter((p) => {
    const t = p.lastAccessTime;
    const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
    return now - ms < POLLER_FRESH_MS;
  }).length;
}

/** Whether a bot's last closed candle is recent enough for its interval (null: none expected yet). */
export function candleFresh(
  interval: CandleInterval,
  lastCandleOpenTime: number | null,
  startedAt: number,
  now: number,
): boolean | null {
  const step = intervalMs(interval);
  const allowed = 2 * step + CANDLE_GRACE_MS;
  if (lastCandleOpenTime === null) return now - startedAt < allowed + step ? null : false;
  return now - (lastCandleOpenTime + step) <= allowed;
}

export function registerHealthRoute(routes: RouteTable, ctx: BotsContext & { readonly namespace: string }): void {
  const q = createBotQueries(ctx);
  let cached: { at: number; body: unknown; code: number } | null = null;

  async function check() {
    const { client, namespace, taskQueue } = ctx;
    const temporal = await client.connection
      .withDeadline(Date.now() + 3_000, () => client.workflowService.getSystemInfo({}))
      .then(
        () => ({ ok: true }),
        (err: Error) => ({ ok: false, message: err.message }),
      );
    let worker: { ok: boolean; workflowPollers?: number; activityPollers?: number; message?: string } = {
      ok: false,
      message: 'Temporal unreachable',
    };
    let streams: {
      ok: boolean | null;
      running: number;
      fresh: number;
      stale: number;
      waiting: number;
      unknown: number;
    } = { ok: null, running: 0, fresh: 0, stale: 0, waiting: 0, unknown: 0 };
    if (temporal.ok) {
      try {
        const [wfPollers, actPollers] = await client.connection.withDeadline(Date.now() + 3_000, () =>
          Promise.all([
            pollers(client, namespace, taskQueue, TASK_QUEUE_TYPE.workflow),
            pollers(client, namespace, taskQueue, TASK_QUEUE_TYPE.activity),
          ]),
        );
        worker = {
          ok: wfPollers > 0 && actPollers > 0,
          workflowPollers: wfPollers,
          activityPollers: actPollers,
          ...(wfPollers > 0 && actPollers > 0 ? {} : { message: `no worker polls task queue ${taskQueue}` }),
        };
      } catch (err) {
        worker = { ok: false, message: (err as Error).message };
      }
      const bots = await listBots(client, false, taskQueue).catch(() => []);
      const now = Date.now();
      const verdicts = await mapLimit(bots, 8, async (b) => {
        try {
          const [s, ledger] = await Promise.all([q.state(b.name), q.ledger(b.name)]);
          if (s.status !== 'RUNNING' && s.status !== 'PAUSED') return 'skip';
          const v = candleFresh(s.interval as CandleInterval, ledger.lastCandleOpenTime, b.startTime.getTime(), now);
          return v === null ? 'waiting' : v ? 'fresh' : 'stale';
        } catch {
          return 'unknown';
        }
      });
      const count = (v: string) => verdicts.filter((x) => x === v).length;
      streams = {
        ok: count('stale') === 0 && count('unknown') === 0,
        running: verdicts.filter((v) => v !== 'skip').length,
        fresh: count('fresh'),
        stale: count('stale'),
        waiting: count('waiting'),
        unknown: count('unknown'),
      };
    }
    const up = temporal.ok && worker.ok;
    const status = !up ? 'down' : streams.ok === false ? 'degraded' : 'ok';
    return { code: up ? 200 : 503, body: { status, temporal, worker, streams, time: new Date().toISOString() } };
  }

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/health',
      tag: 'server',
      summary: "Temporal reachable, a worker polling, the bots' candle streams fresh (no login needed)",
      auth: false,
      responses: { 200: 'ok or degraded (stale streams)', 503: 'Temporal unreachable or no worker polling' },
    },
    async ({ reply }) => {
      if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), ...(await check()) };
      void reply.status(cached.code);
      return cached.body;
    },
  );
}
