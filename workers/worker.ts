/**
 * Build a bot worker: the Temporal worker (bot workflows + exchange activities) and the process's
 * stream service. Used by `workers/main.ts`, `npm start` and the integration tests alike.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { positionSlotActivities } from '../activities/position-slot';
import { PlacementAnswers } from '../activities/placement-answers';
import { AccountRegistry, type AccountConfig } from '../activities/exchange-account';
import { defaultDataHandlers } from '../activities/data-handlers';
import type { DataHandler } from '../activities/market';
import type { DataRequest } from '../core/strategy';
import type { TemporalSettings } from './config';
import { connectionOptions } from '../infra/temporal-connection';
import { BotDirectory } from './directory';
import { StreamService } from './stream-service';
import { type DeliveryModes, deliveryFromEnv } from './stream-delivery';
import { releaseStickyQueues } from './sticky-queues';
import { leanWorkflowThreads, stackTraceSetting } from './workflow-threads';
import { createOptimizeWorker } from './optimize-worker';
import type { Registry } from 'prom-client';
import { PROJECT_ROOT } from '../infra/temporal-cli';
import { Notifier } from '../notify/notifier';
import { type NotifySettings, notifySettings } from '../telegram/settings';
import { ActivityTracker } from '../monitoring/activity-tracker';
import { type AlertThresholds, alertThresholds } from '../monitoring/alert-rules';
import { BreakerRelay } from '../monitoring/breaker-relay';
import { Monitor } from '../monitoring/monitor';
import { workerMetrics } from '../monitoring/worker-metrics';

export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');

/**
 * Loaded once per worker and shared by all bot workflows instead of once per bot (see
 * shared-modules.ts): zod, decimal.js and `core/`.
 */
export const SHARED_WORKFLOW_MODULES = [path.resolve(__dirname, 'shared-modules.ts')];

/**
 * Options of every workflow bundle (`bundleWorkflowCode({ ...workflowBundleOptions(), logger })`):
 * pre-built bundles (npm run build:bundle, tests, benchmarks) must share the same modules as the
 * bundle a worker builds from source.
 */
export function workflowBundleOptions(): { workflowsPath: string; preloadModules: string[] } {
  return { workflowsPath: WORKFLOWS_PATH, preloadModules: [...SHARED_WORKFLOW_MODULES] };
}

export interface BotWorkerOptions {
  readonly temporal: TemporalSettings;
  readonly accounts: readonly AccountConfig[];
  /** Pre-built bundle (production); otherwise the workflows are bundled from source at start. */
  readonly workflowBundlePath?: string;
  readonly identity?: string;
  /** Run the stream service in this process (default true). */
  readonly streams?: boolean;
  /** How the stream service delivers candles and order reports (default: STREAM_DELIVERY, see workers/stream-delivery.ts). */
  readonly streamDelivery?: DeliveryModes;
  readonly dataHandlers?: Partial<Record<DataRequest['kind'], DataHandler>>;
  readonly log?: (message: string) => void;
  /** Notifications and alerts out of this worker (default: from the environment, outbox under data/); null: none. */
  readonly notifications?: NotifySettings | null;
  /** The alert monitor (default: thresholds from ALERT_* variables); false: no monitor. */
  readonly monitoring?:
    { readonly thresholds?: AlertThresholds; readonly intervalMs?: number; readonly botCheckEveryMs?: number } | false;
  /** Extra Temporal worker options (cache size, concurrency) for tuning and benchmarks. */
  readonly tuning?: Partial<
    Pick<
      WorkerOptions,
      | 'maxCachedWorkflows'
      | 'maxConcurrentActivityTaskExecutions'
      | 'maxConcurrentWorkflowTaskExecutions'
      | 'maxConcurrentWorkflowTaskPolls'
      | 'maxConcurrentActivityTaskPolls'
      | 'workflowTaskPollerBehavior'
      | 'activityTaskPollerBehavior'
      | 'nonStickyToStickyPollRatio'
      | 'stickyQueueScheduleToStartTimeout'
      | 'shutdownGraceTime'
      | 'workflowThreadPoolSize'
    >
  >;
}

export interface BotWorker {
  readonly worker: Worker;
  readonly client: Client;
  readonly streams: StreamService | null;
  readonly directory: BotDirectory;
  readonly notifier: Notifier | null;
  readonly monitor: Monitor | null;
  readonly tracker: ActivityTracker;
  /** This worker's Prometheus metrics (monitoring/worker-metrics.ts). */
  readonly metrics: Registry;
  /** Runs until shutdown; rejects on a fatal worker error. */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

// Kept importable from here for existing callers; the CLI and the control API import ./connection.
export { connectionOptions };

export async function createBotWorker(options: BotWorkerOptions): Promise<BotWorker> {
  const { temporal } = options;
  const log = options.log ?? ((m: string) => console.log(m));
  // Settings first: a wrong TELEGRAM_* / NOTIFY_* / ALERT_* variable stops the worker before it connects.
  const notifySetup =
    options.notifications === undefined
      ? notifySettings(process.env, path.join(PROJECT_ROOT, 'data'))
      : options.notifications;
  const monitoring = options.monitoring === false ? null : (options.monitoring ?? {});
  // Checked here so a typo stops the worker; the workflow thread reads it (workflow-thread-preload.cjs).
  stackTraceSetting(process.env.WORKFLOW_STACK_TRACES);
  leanWorkflowThreads();
  const thresholds = monitoring ? (monitoring.thresholds ?? alertThresholds()) : null;
  const nativeConnection = await NativeConnection.connect(connectionOptions(temporal));
  const clientConnection = await Connection.connect(connectionOptions(temporal));
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const accounts = new AccountRegistry(options.accounts);
  const directory = new BotDirectory(client, temporal.taskQueue);
  const dataHandlers = { ...defaultDataHandlers(), ...options.dataHandlers };
  const notifier = notifySetup ? new Notifier({ settings: notifySetup, log }) : null;
  const answers = new PlacementAnswers();
  const activities = {
    ...createActivities({ accounts, botTags: () => directory.tags(), dataHandlers, notifier, answers }),
    // The futures position slots' wait for their owner (workflows/futures-slot.ts).
    ...positionSlotActivities(client),
  };
  // How long after its first unknown outcome a placement may still execute (activities/orders.ts).
  const tracker = new ActivityTracker((name) => {
    try {
      const acc = accounts.get(name);
      return acc.executionDeadline(0) + acc.config.requestTimeoutMs;
    } catch {
      return 30_000;
    }
  });

  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: [...SHARED_WORKFLOW_MODULES] } }),
    activities,
    interceptors: { activity: [tracker.interceptor] },
    ...(options.identity ? { identity: options.identity } : {}),
    shutdownGraceTime: '10s',
    // How long a bot's next task waits for this worker (which holds the bot in its cache) before it
    // goes to the shared queue and is replayed from its whole history. A candle close wakes every
    // bot at once, and the burst takes seconds with hundreds of bots: a short timeout turned long
    // bursts into replay storms (bench/README.md). 10 s is also when the server itself stops
    // sending tasks to a worker that no longer polls; a restarted worker releases the dead one's
    // sticky queues at start (run() below), so a restart does not wait for it.
    stickyQueueScheduleToStartTimeout: '10s',
    ...options.tuning,
  });

  // Backtest batches of `npm run optimize -- --temporal`, on their own task queue (optimize-worker.ts).
  const optimizer = await createOptimizeWorker(
    nativeConnection,
    temporal.namespace,
    temporal.taskQueue,
    options.identity,
  );
  const streams =
    options.streams === false
      ? null
      : new StreamService({
          client,
          accounts,
          directory,
          log,
          delivery: options.streamDelivery ?? deliveryFromEnv(process.env.STREAM_DELIVERY),
          answers,
        });
  const monitor =
    monitoring && thresholds
      ? new Monitor({
          accounts,
          directory,
          streams,
          tracker,
          notifier,
          client,
          taskQueue: temporal.taskQueue,
          thresholds,
          log,
          ...(monitoring.intervalMs ? { intervalMs: monitoring.intervalMs } : {}),
          ...(monitoring.botCheckEveryMs ? { botCheckEveryMs: monitoring.botCheckEveryMs } : {}),
        })
      : null;
  const relay = new BreakerRelay(client, accounts, directory, log);
  const metrics = workerMetrics({ accounts, streams: () => streams, tracker, notifier, monitor });
  let closed = false;
  const stopSidecars = () => {
    monitor?.stop();
    relay.stop();
    notifier?.stop();
    for (const acc of accounts.all()) acc.breaker.close();
  };
  return {
    worker,
    client,
    streams,
    directory,
    notifier,
    monitor,
    tracker,
    metrics,
    async run() {
      const polling = worker.run();
      polling.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
      const optimizing = optimizer ? optimizer.worker.run() : Promise.resolve();
      optimizing.catch((err: unknown) => log(`optimisation worker stopped: ${(err as Error).message}`));
      try {
        try {
          // Before the streams relay anything: a bot's next task must come here, not wait on the
          // sticky queue of a worker that died.
          await directory
            .refresh()
            .then((bots) => releaseStickyQueues(client, temporal.namespace, bots, log))
            .catch((err: unknown) => log(`sticky queues not released: ${(err as Error).message}`));
          await streams?.start();
          notifier?.start();
          monitor?.start();
          relay.start();
        } catch (err) {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await polling.catch(() => {});
          throw err;
        }
        await polling;
      } finally {
        streams?.stop();
        stopSidecars();
        await streams?.drained();
        await notifier?.idle();
        notifier?.close();
        if (optimizer?.worker.getState() === 'RUNNING') optimizer.worker.shutdown();
        await optimizing.catch(() => {});
        await optimizer?.pool.close();
        await nativeConnection.close().catch(() => {});
        await clientConnection.close().catch(() => {});
      }
    },
    async shutdown() {
      if (closed) return;
      closed = true;
      streams?.stop();
      stopSidecars();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      if (optimizer?.worker.getState() === 'RUNNING') optimizer.worker.shutdown();
    },
  };
}
