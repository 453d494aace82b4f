/**
 * Candles in order: duplicates and late ones dropped, a gap held back while the missing candles
 * are fetched (backfill) and released in order, a stream gone quiet caught up at reconciliation.
 * Also the answers to data requests, the backfill's among them.
 */
import { type Candle, intervalMs } from '../market';
import { backfillRequest } from '../reconcile-plan';
import type { Json } from '../strategy';
import type { Kernel } from './kernel';
import { without } from './records';

export function onCandle(k: Kernel, candle: Candle, replayed: boolean): void {
  if (candle.symbol !== k.s.setup.symbol || candle.interval !== k.s.setup.interval) return;
  const last = k.s.lastCandleOpenTime;
  if (last !== null && candle.openTime <= last) return; // duplicate or late: already processed
  if (k.s.gap) {
    // A backfill is in flight: keep order by holding newer candles until it answers.
    if (!k.s.gap.held.some((c) => c.openTime === candle.openTime)) {
      const replayedThrough = replayed
        ? Math.max(k.s.gap.replayedThrough ?? -1, candle.openTime)
        : k.s.gap.replayedThrough;
      k.s.gap = {
        ...k.s.gap,
        held: [...k.s.gap.held, candle].sort((a, b) => a.openTime - b.openTime),
        ...(replayedThrough !== undefined ? { replayedThrough } : {}),
      };
    }
    return;
  }
  const step = intervalMs(candle.interval);
  if (last !== null && candle.openTime > last + step) {
    const missing = Math.round((candle.openTime - last) / step) - 1;
    const requestId = `__gap-${last + step}`;
    k.s.gap = { requestId, held: [candle], ...(replayed ? { replayedThrough: candle.openTime } : {}) };
    k.s.pendingRequests = {
      ...k.s.pendingRequests,
      [requestId]: {
        kind: 'candles',
        symbol: candle.symbol,
        interval: candle.interval,
        limit: Math.min(missing, 1000),
        endTime: candle.openTime - 1,
      },
    };
    k.commands.push({ type: 'fetch', requestId, request: k.s.pendingRequests[requestId]! });
    return;
  }
  acceptCandle(k, candle, replayed);
}

/**
 * Polling covers what streams lose: if no candle arrived for two intervals (and a grace of
 * ten seconds), fetch the missing ones over REST. Checked at reconciliation, so it costs no timer.
 */
export function checkCandleFreshness(k: Kernel): void {
  const last = k.s.lastCandleOpenTime;
  if (last === null || k.s.gap || k.s.status === 'STOPPING' || k.s.status === 'STOPPED') return;
  const step = intervalMs(k.s.setup.interval);
  const nextClose = last + 2 * step - 1;
  if (k.now < nextClose + step + 10_000) return;
  const request = backfillRequest(k.s.setup.symbol, k.s.setup.interval, last, k.now);
  if (!request) return;
  const requestId = `__gap-${last + step}`;
  k.s.gap = { requestId, held: [] };
  k.s.pendingRequests = { ...k.s.pendingRequests, [requestId]: request };
  k.commands.push({ type: 'fetch', requestId, request });
}

export function acceptCandle(k: Kernel, candle: Candle, replayed: boolean): void {
  k.s.lastCandleOpenTime = candle.openTime;
  k.s.lastPrice = candle.close;
  k.updateRisk();
  k.toStrategy({ type: 'candle', candle }, replayed);
}

export function releaseGap(k: Kernel, fetched: readonly Candle[]): void {
  const gap = k.s.gap;
  if (!gap) return;
  k.s.gap = null;
  const all = [...fetched, ...gap.held].sort((a, b) => a.openTime - b.openTime);
  const resetAt = k.s.resetAt ?? null;
  const held = new Set(gap.held);
  for (const candle of all) {
    const last = k.s.lastCandleOpenTime;
    if (last !== null && candle.openTime <= last) continue;
    // Delivered again by a reset, or closed before it (the discarded branch saw it): indicators
    // only. A backfilled candle after a reset is fresh only if it provably closed after the reset:
    // a closeTime later than now says nothing of when it closed (an exchange whose candle clock
    // leads the wall clock, e.g. the paper exchange's hand-closed candles), so it counts as seen.
    const closedBeforeReset =
      resetAt !== null && (candle.closeTime < resetAt || (!held.has(candle) && candle.closeTime > k.now));
    const replayed = candle.openTime <= (gap.replayedThrough ?? -1) || closedBeforeReset;
    acceptCandle(k, candle, replayed);
    // Each candle is its own decision point, as if it had arrived alone.
    k.drainStrategyQueue();
  }
}

export function onData(k: Kernel, requestId: string, result: Json): void {
  const request = k.s.pendingRequests[requestId];
  if (!request) return; // duplicate answer
  k.s.pendingRequests = without(k.s.pendingRequests, requestId);
  if (k.s.gap?.requestId === requestId) {
    releaseGap(k, Array.isArray(result) ? (result as unknown as Candle[]) : []);
    return;
  }
  const fresh = request.kind === 'balances' ? (result as { base?: unknown; quote?: unknown } | null) : null;
  if (fresh && typeof fresh.base === 'string' && typeof fresh.quote === 'string')
    k.s.balances = { base: fresh.base, quote: fresh.quote };
  k.toStrategy({ type: 'data', requestId, kind: request.kind, result });
}

export function onDataFailed(k: Kernel, requestId: string, message: string): void {
  if (!k.s.pendingRequests[requestId]) return;
  const request = k.s.pendingRequests[requestId];
  k.s.pendingRequests = without(k.s.pendingRequests, requestId);
  k.notify('warn', `request ${requestId} (${request.kind}) failed: ${message}`);
  if (k.s.gap?.requestId === requestId) {
    k.notify('warn', 'continuing without the missing candles');
    releaseGap(k, []);
    return;
  }
  k.toStrategy({ type: 'data', requestId, kind: request.kind, result: { error: message } });
}
