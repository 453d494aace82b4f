/**
 * The account's orders on one symbol placed since a given time, however many there are.
 *
 * Binance's `GET /api/v3/allOrders` answers 1,000 orders at most, either for a startTime/endTime
 * window of at most 24 hours or from an `orderId` cursor (orders with ids >= it, oldest first).
 * Which 1,000 a full window answers is not documented, so a full window is narrowed until it
 * holds fewer; from the orders of the first non-empty window the cursor pages forward to the end.
 * Order ids only grow on a symbol, so every order placed after those comes in the pages.
 */
import type { RawOrder } from './binance-types';

type ListOrders = (params: Record<string, string | number>) => Promise<RawOrder[]>;

const PAGE = 1000;
const DAY_MS = 24 * 3600_000;
/** Empty days looked through for the first order (a bot idle for longer is not looked back on further). */
const MAX_EMPTY_DAYS = 31;
/** Pages after the first window: 20,000 orders per scan; a longer tail is continued by the next scan. */
const MAX_PAGES = 20;

export interface OrdersSince {
  readonly orders: readonly RawOrder[];
  /** False when the bounds above stopped the search: the next scan looks again. */
  readonly complete: boolean;
  /** Requests made (each of weight 20 on Binance). */
  readonly calls: number;
}

export async function ordersSince(list: ListOrders, symbol: string, since: number, now: number): Promise<OrdersSince> {
  let calls = 0;
  const call = (params: Record<string, string | number>) => {
    calls++;
    return list({ symbol, limit: PAGE, ...params });
  };
  let first: RawOrder[] = [];
  let start = Math.max(0, Math.floor(since));
  for (let days = 0; first.length === 0; days++) {
    if (start > now) return { orders: [], complete: true, calls };
    if (days >= MAX_EMPTY_DAYS) return { orders: [], complete: false, calls };
    let end = start + DAY_MS - 1;
    let page = await call({ startTime: start, endTime: end });
    while (page.length >= PAGE && end > start) {
      end = start + Math.floor((end - start) / 2);
      page = await call({ startTime: start, endTime: end });
    }
    if (page.length === 0) {
      start = end + 1;
      continue;
    }
    first = page;
    // The window reached past now and was not full: nothing can follow it yet.
    if (end >= now && page.length < PAGE) return { orders: first, complete: true, calls };
  }
  const orders = [...first];
  let cursor = maxOrderId(first) + 1;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = (await call({ orderId: cursor })).filter((o) => Number(o.orderId) >= cursor);
    orders.push(...page);
    if (page.length < PAGE) return { orders, complete: true, calls };
    cursor = maxOrderId(page) + 1;
  }
  return { orders, complete: false, calls };
}

function maxOrderId(orders: readonly RawOrder[]): number {
  return orders.reduce((m, o) => Math.max(m, Number(o.orderId)), 0);
}
