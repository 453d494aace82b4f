/**
 * The book streams of one symbol, as Binance sends them (web-socket-streams.md):
 * - `<s>@depth` (every 1000 ms) and `<s>@depth@100ms`: diff events `{e:"depthUpdate",E,s,U,u,b,a}`.
 *   Every change of the book takes the next update id; an event carries the ids `[U, u]` it
 *   covers, contiguous from one event to the next (`U` = previous `u` + 1), and the final size of
 *   every level that changed in that range — `"0.00000000"` for a level that left. A client that
 *   buffers events, fetches `GET /api/v3/depth` (whose `lastUpdateId` is the same counter), drops
 *   events with `u <= lastUpdateId` and applies the rest keeps exactly this book, never crossed.
 * - `<s>@depth5|10|20[@100ms]`: the top levels, every interval.
 * - `<s>@bookTicker`: best bid/ask, in real time, at every update of the book.
 * Update ids start at the start time in ms, so they keep growing across restarts.
 */
import type { BookState, Level, OrderBookView, Side } from './order-book';
import type { StreamSink } from './market';

export type Cadence = 'fast' | 'slow';

interface Pending {
  /** The first update id this event will cover. */
  first: number;
  readonly bids: Set<string>;
  readonly asks: Set<string>;
}

export class DepthFeed {
  private state: BookState | null = null;
  private updateId: number;
  private readonly pending: Record<Cadence, Pending | null> = { fast: null, slow: null };
  private readonly streams: Record<Cadence, { diff: string; partial: Array<[string, number]> }>;
  private readonly bookTicker: string;

  constructor(
    readonly view: OrderBookView,
    private readonly symbol: string,
    lower: string,
    private readonly sink: StreamSink,
    startId: number,
  ) {
    this.updateId = startId;
    this.bookTicker = `${lower}@bookTicker`;
    this.streams = {
      fast: {
        diff: `${lower}@depth@100ms`,
        partial: [5, 10, 20].map((n) => [`${lower}@depth${n}@100ms`, n] as [string, number]),
      },
      slow: { diff: `${lower}@depth`, partial: [5, 10, 20].map((n) => [`${lower}@depth${n}`, n] as [string, number]) },
    };
  }

  get lastUpdateId(): number {
    return this.updateId;
  }

  current(): BookState | null {
    return this.state;
  }

  /** The book may have changed (a trade, a fill): take a new update id if it did, note what changed, push bookTicker. */
  update(next: BookState, _time: number): void {
    const prev = this.state;
    if (prev && prev.reference === next.reference && prev.seq === next.seq) return;
    this.state = next;
    this.updateId += 1;
    for (const cadence of ['fast', 'slow'] as const) {
      if (!this.sink.hasSubscribers(this.streams[cadence].diff)) {
        this.pending[cadence] = null;
        continue;
      }
      let p = this.pending[cadence];
      if (!p) {
        p = { first: this.updateId, bids: new Set(), asks: new Set() };
        this.pending[cadence] = p;
      }
      for (const side of ['bids', 'asks'] as const) {
        const set = p[side];
        // No previous state: everything is new.
        const prices = prev
          ? this.view.changed(side, prev, next)
          : this.view.side(side, next, this.view.depthLimit).map(([price]) => price);
        for (const price of prices) set.add(price);
      }
    }
    // Every update touches the best levels (a trade takes liquidity there): one bookTicker each.
    if (this.sink.hasSubscribers(this.bookTicker)) {
      const { bid, ask } = this.view.best(next);
      if (bid && ask)
        this.sink.publish(
          this.bookTicker,
          JSON.stringify({ u: this.updateId, s: this.symbol, b: bid[0], B: bid[1], a: ask[0], A: ask[1] }),
        );
    }
  }

  /** GET /api/v3/depth: the book now and the id of the last update it includes. */
  snapshot(limit: number): { lastUpdateId: number; bids: Level[]; asks: Level[] } {
    const s = this.state;
    if (!s) return { lastUpdateId: this.updateId, bids: [], asks: [] };
    return {
      lastUpdateId: this.updateId,
      bids: this.view.side('bids', s, limit),
      asks: this.view.side('asks', s, limit),
    };
  }

  /** Interval tick: the diff event of this cadence (when something changed) and the partial-depth snapshots. */
  flush(cadence: Cadence, time: number): void {
    const s = this.state;
    if (!s) return;
    const { diff, partial } = this.streams[cadence];
    const p = this.pending[cadence];
    if (p && (p.bids.size > 0 || p.asks.size > 0)) {
      if (this.sink.hasSubscribers(diff)) {
        const levels = (side: Side, set: Set<string>): Level[] => {
          const out: Level[] = [...set].map((price) => [price, this.view.qtyAt(side, price, s)]);
          out.sort((x, y) => (side === 'bids' ? compare(y[0], x[0]) : compare(x[0], y[0])));
          return out;
        };
        const event = {
          e: 'depthUpdate',
          E: time,
          s: this.symbol,
          U: p.first,
          u: this.updateId,
          b: levels('bids', p.bids),
          a: levels('asks', p.asks),
        };
        this.sink.publish(diff, JSON.stringify(event));
        this.pending[cadence] = { first: this.updateId + 1, bids: new Set(), asks: new Set() };
      } else {
        this.pending[cadence] = null;
      }
    }
    for (const [stream, n] of partial) {
      if (this.sink.hasSubscribers(stream)) this.sink.publish(stream, JSON.stringify(this.snapshot(n)));
    }
  }
}

/** Compare two padded decimal strings of the same precision (longer integer part = larger). */
function compare(a: string, b: string): number {
  const ai = a.indexOf('.');
  const bi = b.indexOf('.');
  const al = ai < 0 ? a.length : ai;
  const bl = bi < 0 ? b.length : bi;
  if (al !== bl) return al - bl;
  return a < b ? -1 : a > b ? 1 : 0;
}
