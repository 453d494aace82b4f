/**
 * Scenario 3, recovery: with N bots running (the density scenario's last stage, or started here),
 *
 * - worker: kill -9 the worker process and start a new one at once. Measured from that restart:
 *   the worker polls, its stream service has reconnected the market and user streams, and every
 *   bot has handled a new event — a closed candle emitted as soon as the streams are back (an
 *   earlier one would reach nobody: the exchange does not replay a stream), each bot's order
 *   arriving at the exchange being the proof it handled it. Its cache is empty, so every bot's
 *   history is replayed first (and the bots' tasks wait out the dead worker's sticky queue).
 * - server: kill -9 the Temporal dev server and start it on the same SQLite file and port (on a
 *   cluster: its history service, then its matching service, each restarted on its ports); the
 *   worker lives on and reconnects by itself. Measured from that restart: the server answers, and
 *   every bot has handled a new event. A candle is emitted as soon as the server answers; another
 *   only if bots are still missing once everything went quiet (a candle the stream service could
 *   not signal while the worker's connection was still down is lost for that bot; the next one
 *   catches it up).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { candleBurst, quiet } from '../support/bots';
import { type LoadInfo, loadInfo } from '../support/machine';
import { type Summary, round, summarize } from '../support/stats';
import type { BenchStack } from '../support/stack';

export interface RecoveryOptions {
  readonly bots: number;
  readonly log: (line: string) => void;
}

export interface WorkerRecovery {
  readonly bots: number;
  /** Restart → the new worker polls (process start, bundle load, connections). */
  readonly pollingMs: number;
  /** Restart → its market and user streams are connected again. */
  readonly streamsMs: number;
  /** Restart → the last bot's order for the new candle (the figure the target is about). */
  readonly allActedMs: number;
  /** Per bot, from the candle's emission to its order. */
  readonly reaction: Summary;
  readonly missing: number;
  readonly load: LoadInfo;
}

export interface ServerRecovery {
  readonly bots: number;
  /** Restart → the server answers. */
  readonly serverReadyMs: number;
  /** Restart → the last bot's order. */
  readonly allActedMs: number;
  /** Candles emitted until every bot had acted. */
  readonly candlesEmitted: number;
  readonly reaction: Summary;
  readonly missing: number;
  readonly load: LoadInfo;
}

export interface RecoveryResult {
  readonly worker: WorkerRecovery;
  /** The dev server's kill -9; on a cluster, its history service's. */
  readonly server: ServerRecovery;
  /** On a cluster: each service killed -9 in turn (history, matching). */
  readonly services?: Readonly<Record<string, ServerRecovery>>;
}

export async function recoveryScenario(
  stack: BenchStack,
  slugs: ReadonlySet<string>,
  o: RecoveryOptions,
): Promise<RecoveryResult> {
  const pids = () => [...stack.workerPids(), ...stack.serverPids()];
  await quiet(pids(), { maxMs: 60_000 });

  // ---- worker kill -9 ------------------------------------------------------------------------
  o.log(`recovery: kill -9 the worker with ${slugs.size} bots running`);
  await stack.killWorker();
  // Let the exchange see the dead worker's sockets close, so reconnections are the new worker's.
  for (let i = 0; i < 50 && stack.exchange.stats().connections > 0; i++) await sleep(20);
  const restart = performance.now();
  const { readyMs } = await stack.spawnWorker();
  while (stack.exchange.stats().connections < 2 && performance.now() - restart < 60_000) await sleep(5);
  const streamsMs = performance.now() - restart;
  const burst = await candleBurst(stack, slugs, 300_000);
  const reactions = [...burst.reactions.values()];
  const worker: WorkerRecovery = {
    bots: slugs.size,
    pollingMs: round(readyMs, 0),
    streamsMs: round(streamsMs, 0),
    allActedMs: round(burst.emittedAt - restart + Math.max(...reactions), 0),
    reaction: summarize(reactions),
    missing: slugs.size - burst.reactions.size,
    load: loadInfo(),
  };
  o.log(
    `recovery: worker restarted; all bots acted ${worker.allActedMs} ms after the restart (polling ${worker.pollingMs} ms, streams ${worker.streamsMs} ms)`,
  );

  await quiet(pids(), { maxMs: 60_000 });

  // ---- server kill -9 (each part of a cluster in turn) -------------------------------------------
  const services: Record<string, ServerRecovery> = {};
  for (const part of stack.server.parts) {
    if (Object.keys(services).length > 0) await quiet(pids(), { maxMs: 60_000 });
    services[part] = await serverRecovery(stack, slugs, part, pids, o);
  }
  const server = services[stack.server.parts[0]!]!;
  return { worker, server, ...(stack.server.parts.length > 1 ? { services } : {}) };
}

/** kill -9 one part of the server and restart it: time until every bot has acted on a new candle. */
async function serverRecovery(
  stack: BenchStack,
  slugs: ReadonlySet<string>,
  part: string,
  pids: () => number[],
  o: RecoveryOptions,
): Promise<ServerRecovery> {
  o.log(`recovery: kill -9 the Temporal ${part === 'server' ? 'dev server' : `${part} service`}`);
  const serverRestart = performance.now();
  const { readyMs: serverReadyMs } = await stack.restartServer(part);
  let candles = 0;
  const acted = new Map<string, number>();
  // One candle once the server answers; another only if, once everything went quiet, some bots
  // still had not acted (their signal was lost while the worker's connection was still down).
  for (let round = 0; round < 4 && acted.size < slugs.size; round++) {
    if (round > 0) await quiet(pids(), { maxMs: 60_000 });
    const pending = new Set([...slugs].filter((s) => !acted.has(s)));
    candles++;
    const answered = await candleBurst(stack, pending, 300_000, { since: serverRestart, stallMs: 10_000 });
    for (const [slug, ms] of answered.reactions) acted.set(slug, ms);
  }
  const after = { reactions: acted };
  const fromRestart = [...after.reactions.values()];
  const server: ServerRecovery = {
    bots: slugs.size,
    serverReadyMs: round(serverReadyMs, 0),
    allActedMs: round(Math.max(...fromRestart), 0),
    candlesEmitted: candles,
    reaction: summarize(fromRestart.map((ms) => ms - serverReadyMs)),
    missing: slugs.size - after.reactions.size,
    load: loadInfo(),
  };
  o.log(
    `recovery: ${part} restarted; all bots acted ${server.allActedMs} ms after the restart (server ready ${server.serverReadyMs} ms, ${candles} candle(s))`,
  );
  return server;
}
