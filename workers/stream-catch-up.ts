/**
 * Candles a bot missed because no stream relayed them to it: a worker relays a closed candle only
 * to the bots its directory already lists, and the directory is re-read every couple of seconds,
 * so a bot started just before a close — or every bot, when this worker replaces one that died
 * while candles closed — would wait for the next close (a whole interval) to notice.
 *
 * Each bot this stream service has not served yet is sent the last closed candle of its stream,
 * read over REST, if it closed after the bot's run started (never a candle older than the run: a
 * fresh bot, or a run a reset made, would take it as a new decision). The bot deduplicates by open time (a candle it has is dropped before it costs a
 * kernel step) and a newer one than it expects opens its own gap backfill (core/kernel/candles.ts), so the
 * candles closed while no worker ran reach it in order, each once.
 */
import type { ExchangeAccount } from '../activities/exchange-account';
import { candleFromRaw } from '../activities/mapping';
import type { Candle, CandleInterval } from '../core/market';
import type { RunningBot } from './directory';

/** The bots not seen before, and which of the known ones are gone (so they are caught up if they come back). */
export class NewcomerTracker {
  private readonly known = new Set<string>();

  /** Bots of `bots` this tracker has not returned before; forgets bots no longer listed. */
  newcomers(bots: readonly RunningBot[]): RunningBot[] {
    const listed = new Set(bots.map((b) => b.workflowId));
    for (const id of this.known) if (!listed.has(id)) this.known.delete(id);
    const fresh = bots.filter((b) => !this.known.has(b.workflowId));
    for (const b of fresh) this.known.add(b.workflowId);
    return fresh;
  }
}

/**
 * The last closed candle of a stream. Binance returns the forming candle last: every candle before
 * it is closed, and the last one only if its close time has passed (never a forming candle).
 */
export async function lastClosedCandle(
  account: ExchangeAccount,
  symbol: string,
  interval: CandleInterval,
): Promise<Candle | null> {
  const raw = (await account.call('klines', 2, (rest) => rest.candles({ symbol, interval, limit: 2 }))) as Array<
    Parameters<typeof candleFromRaw>[2]
  >;
  const now = Date.now();
  const closed = raw.filter((c, i) => i < raw.length - 1 || Number(c.closeTime) < now);
  const last = closed.at(-1);
  return last ? candleFromRaw(symbol, interval, last) : null;
}

/**
 * When this process saw each stream's last closed candle arrive (wall clock), kept across the
 * stream closing and opening again. It is the best evidence of when a candle closed: a bot whose
 * run started after that moment did not miss it — it was closed before the bot existed (or before
 * the reset that made this run), and feeding it as fresh would make the bot act on an old decision
 * (a second lot). A candle's own closeTime is the fallback, true on Binance but not on an exchange
 * whose candle clock runs apart from the wall clock (the paper exchange closing candles by hand).
 */
export class ClosedCandleLog {
  private readonly seen = new Map<string, { readonly openTime: number; readonly at: number }>();

  record(base: string, candle: Candle, at: number): void {
    const key = `${base}/${candle.symbol}/${candle.interval}`;
    const last = this.seen.get(key);
    if (!last || candle.openTime >= last.openTime) this.seen.set(key, { openTime: candle.openTime, at });
  }

  /** When this process saw `candle` close, or null if it did not see that very candle. */
  seenAt(base: string, candle: Candle): number | null {
    const last = this.seen.get(`${base}/${candle.symbol}/${candle.interval}`);
    return last && last.openTime === candle.openTime ? last.at : null;
  }
}

/**
 * Which newcomers the candle is for: those on its stream whose run started before it closed —
 * when this process saw it close (`seenAt`), else by its closeTime.
 */
export function catchUpTargets(
  candle: Candle,
  bots: readonly RunningBot[],
  seenAt: number | null = null,
): RunningBot[] {
  const closedAt = seenAt ?? candle.closeTime;
  return bots.filter((b) => b.symbol === candle.symbol && b.interval === candle.interval && closedAt >= b.runStartedAt);
}
