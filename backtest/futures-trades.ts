/**
 * Trades of a futures backtest: every order whose fills reduced the position (a take-profit, an
 * exit, the protective stop, a liquidation), with the PnL the exchange realised on them net of
 * their fees. The entry price follows from the realised PnL and the side closed: a SELL closes a
 * long (pnl = (exit − entry) × qty), a BUY closes a short (pnl = (entry − exit) × qty). Pure.
 */
import { type Dec, add, d, str } from '../core/decimal';
import type { PerpFillView } from '../venue/perpetual';
import type { BacktestOrder, BacktestTrade } from './engine';

export function futuresTrades(
  fills: readonly PerpFillView[],
  orders: ReadonlyMap<string, BacktestOrder>,
): BacktestTrade[] {
  const byOrder = new Map<
    string,
    { side: 'BUY' | 'SELL'; qty: Dec; quote: Dec; realized: Dec; fees: Dec; last: number; closing: boolean }
  >();
  let lastOpen: number | null = null;
  const opened = new Map<string, number | null>();
  for (const f of fills) {
    const closing = f.realizedPnl !== '0';
    if (!closing) {
      lastOpen = f.time;
      continue;
    }
    const t = byOrder.get(f.clientOrderId) ?? {
      side: f.side,
      qty: '0',
      quote: '0',
      realized: '0',
      fees: '0',
      last: f.time,
      closing,
    };
    if (!opened.has(f.clientOrderId)) opened.set(f.clientOrderId, lastOpen);
    byOrder.set(f.clientOrderId, {
      ...t,
      qty: add(t.qty, f.qty),
      quote: add(t.quote, f.quoteQty),
      realized: add(t.realized, f.realizedPnl),
      fees: add(t.fees, f.commission),
      last: f.time,
    });
  }
  const trades: BacktestTrade[] = [];
  for (const [id, t] of byOrder) {
    const order = orders.get(id);
    const exit = d(t.quote).dividedBy(t.qty);
    const perUnit = d(t.realized).dividedBy(t.qty);
    const entry = t.side === 'SELL' ? exit.minus(perUnit) : exit.plus(perUnit);
    trades.push({
      clientOrderId: id,
      tag: order?.tag ?? (id.startsWith('autoclose-') ? 'liquidation' : '?'),
      reason: order?.reason ?? '',
      openedAt: opened.get(id) ?? null,
      closedAt: t.last,
      qty: t.qty,
      entryPrice: str(entry.toDecimalPlaces(8)),
      exitPrice: str(exit.toDecimalPlaces(8)),
      pnl: str(d(t.realized).minus(t.fees).toDecimalPlaces(8)),
    });
  }
  return trades.sort((a, b) => a.closedAt - b.closedAt);
}
