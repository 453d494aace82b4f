/**
 * One event through the kernel: what each event does, then what every step ends with (the
 * strategy's queue drained, the futures stop kept, adopted twins cancelled after a reset, a stop
 * moved forward, reconciliation brought forward when an order just opened).
 */
import { awaitsProof } from '../orders';
import {
  cancelAdoptedTwins,
  legsWithoutProof,
  onMissing,
  onReconciledOrders,
  onReset,
  onUnknown,
  resumeWork,
} from '../proof';
import { requestScan, scanEnded } from '../lineage-scan';
import { onMissing as stopVerifying } from '../order-authority';
import { checkCandleFreshness, onCandle, onData, onDataFailed } from './candles';
import type { BotEvent } from './events';
import { drainStrategyQueue, releaseExits, toStrategy } from './intents';
import type { Kernel } from './kernel';
import { onPlaced, onRejected, onSnapshot, patchOrder, proofOps, setOrder } from './orders';
import { protect } from './protect';
import { checkFuturesPosition } from './position-check';
import { without } from './records';
import {
  fireDueTimers,
  releaseStart,
  requestReconcile,
  runNow,
  scheduleReconcile,
  tightenReconcile,
} from './reconcile';
import { advanceStop, beginStop } from './stop';

export function handle(k: Kernel, event: BotEvent): void {
  k.s.eventsProcessed = k.s.eventsProcessed + 1;
  const previousEventTime = k.s.lastEventTime;
  k.s.lastEventTime = event.now;
  switch (event.type) {
    case 'start':
      if (event.filters) k.s.filters = event.filters;
      if (event.otherFilters) k.s.otherFilters = { ...k.s.otherFilters, ...event.otherFilters };
      k.s.reconcileInFlight = false;
      // Every run starts by looking at the exchange, its lineage included: a reset of an earlier
      // run (Temporal's LastContinuedAsNew) arrives as an ordinary new run.
      if (k.s.idBranch !== undefined) requestScan(k.s, previousEventTime ?? event.now);
      requestReconcile(k);
      if (!event.fresh) resumeWork(proofOps(k));
      // A new bot meets its strategy once the first reconciliation told it the balances, so
      // sizing by free balance works from the first decision.
      if (event.fresh) k.s.startPending = true;
      break;
    case 'candle':
      k.s.lastStreamEventTime = event.now;
      onCandle(k, event.candle, event.replayed === true);
      break;
    case 'orderPlaced':
      onPlaced(k, event.snapshot);
      break;
    case 'orderListPlaced':
      for (const snapshot of event.snapshots) onPlaced(k, snapshot);
      legsWithoutProof(proofOps(k), event.listClientOrderId, event.snapshots);
      break;
    case 'orderRejected':
      onRejected(k, event.clientOrderId, `${event.code}: ${event.message}`);
      break;
    case 'orderUnknown':
      onUnknown(proofOps(k), event.clientOrderId, event.message);
      break;
    case 'orderCollision': {
      const o = k.s.orders[event.clientOrderId];
      if (!o || !awaitsProof(o.status)) break;
      k.s.stats = { ...k.s.stats, collisions: (k.s.stats.collisions ?? 0) + 1 };
      k.notify(
        'error',
        `client id ${event.clientOrderId} is used by an order that is not this bot's: ${event.message}`,
      );
      onRejected(k, event.clientOrderId, `id collision: ${event.message}`);
      const rejected = k.s.orders[event.clientOrderId];
      if (rejected) setOrder(k, { ...rejected, collision: true });
      break;
    }
    case 'orderMissing':
      onMissing(proofOps(k), event.clientOrderId, event.message);
      break;
    case 'orderUpdate':
      if (event.source === 'stream') k.s.lastStreamEventTime = event.now;
      onSnapshot(k, event.snapshot, event.source);
      break;
    case 'cancelRejected':
      k.notify('warn', `cancel of ${event.clientOrderId} refused: ${event.message}`);
      patchOrder(k, event.clientOrderId, { cancelRequested: false });
      break;
    case 'reconciled':
      k.s.reconcileInFlight = false;
      checkCandleFreshness(k);
      if (event.balances && !k.s.marginRefreshDue) k.s.balances = event.balances;
      if (event.filters && k.s.filters === null) {
        k.s.filters = event.filters;
        k.filtersLearnedNow = true;
        k.notify('info', `exchange filters of ${k.s.setup.symbol} known now: orders are shaped by them again`);
      }
      if (event.orphans.length > 0 && event.orphans.join(',') !== k.s.orphanOrders.join(',')) {
        k.notify('warn', `orders on ${k.s.setup.symbol} owned by no bot (not adopted): ${event.orphans.join(', ')}`);
      }
      k.s.orphanOrders = [...event.orphans];
      onReconciledOrders(proofOps(k), event);
      releaseExits(k);
      checkFuturesPosition(k, event.position);
      if (k.s.verification) k.s.verification = stopVerifying(k.s.verification, event.missing);
      scheduleReconcile(k);
      if (k.s.marginRefreshDue) {
        delete k.s.marginRefreshDue;
        requestReconcile(k);
      }
      releaseStart(k);
      break;
    case 'reconcileFailed':
      k.s.reconcileInFlight = false;
      scanEnded(k.s, 'failed');
      k.notify('warn', `reconciliation failed: ${event.message}`);
      scheduleReconcile(k);
      releaseStart(k);
      break;
    case 'wake':
      fireDueTimers(k);
      if (k.s.nextReconcileAt !== null && k.s.nextReconcileAt <= k.now) requestReconcile(k);
      break;
    case 'pause':
      if (k.s.status === 'RUNNING') k.s.status = 'PAUSED';
      break;
    case 'resume':
      if (k.s.status === 'PAUSED') k.s.status = 'RUNNING';
      break;
    case 'params': {
      const previous = k.s.setup.params;
      k.s.setup = { ...k.s.setup, params: event.params };
      toStrategy(k, { type: 'params', previous });
      break;
    }
    case 'trigger':
      if (k.s.watches[event.id]) {
        k.s.watches = without(k.s.watches, event.id);
        k.s.lastPrice = event.price;
        toStrategy(k, { type: 'trigger', id: event.id, price: event.price, time: event.time }, event.replayed === true);
      }
      break;
    case 'book':
      toStrategy(k, { type: 'book', book: event.book });
      break;
    case 'data':
      onData(k, event.requestId, event.result);
      break;
    case 'dataFailed':
      onDataFailed(k, event.requestId, event.message);
      break;
    case 'streamReconnected':
      requestReconcile(k);
      break;
    case 'runNow':
      runNow(k);
      break;
    case 'stop':
      beginStop(k, event.reason);
      break;
    case 'reset':
      onReset(proofOps(k), event.branch, event.since ?? previousEventTime ?? event.now);
      break;
    default: {
      const unknown: never = event;
      throw new Error(`unknown bot event ${JSON.stringify(unknown)}`);
    }
  }
  drainStrategyQueue(k);
  protect(k);
  if (k.s.resetAt != null) cancelAdoptedTwins(proofOps(k));
  advanceStop(k);
  tightenReconcile(k);
}
