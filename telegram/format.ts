/**
 * The texts of the Telegram commands, from what the bots answer (their `state` and `ledger`
 * queries) and the account balance. Pure; plain text (no parse mode, so nothing a bot name or a
 * reason contains can break a message), each under Telegram's 4096 characters.
 */
import type { BalanceReport } from '../activities/account';
import { unrealizedOf } from '../api/views';
import { type Dec, add, d, isPositive, isZero, str, sub } from '../core/decimal';
import type { RoundTrip } from '../core/kernel';
import type { OrderRecord } from '../core/orders';
import { splitSymbol } from '../core/symbols';
import { clip } from '../notify/channels';
import type { BotLedger } from '../workflows/control';
import type { BotStateView } from '../workflows/messages';

export function short(v: Dec | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return str(d(v).toDecimalPlaces(8));
}

function signed(v: Dec): string {
  const s = short(v);
  return s.startsWith('-') || s === '0' ? s : `+${s}`;
}

function quoteOf(v: Pick<BotStateView, 'symbol'>): string {
  return splitSymbol(v.symbol).quote;
}

function ago(time: number | null, now: number): string {
  if (time === null) return 'never';
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

const STATUS_ICON: Record<string, string> = { RUNNING: '▶️', PAUSED: '⏸', STOPPING: '⏳', STOPPED: '⏹', FAILED: '❌' };

export function orderLine(o: OrderRecord): string {
  const price = o.request.price ?? o.request.stopPrice;
  return `  ${o.tag}: ${o.request.side} ${short(o.request.quantity ?? o.request.quoteOrderQty ?? '0')} ${o.request.type}${price ? ` @ ${short(price)}` : ''} — ${o.status}${isPositive(o.executedQty) ? ` (filled ${short(o.executedQty)})` : ''}`;
}

function breakerLine(v: BotStateView): string | null {
  const c = v.circuitBreaker;
  if (!c || c.state === 'closed') return null;
  return `⚡ circuit breaker ${c.state} on ${c.account} since ${new Date(c.openedAt ?? c.since).toISOString()}: no new entries`;
}

/** One line per bot: /bots and /status without a name. */
export function botsText(rows: ReadonlyArray<{ name: string; view: BotStateView | null; error?: string }>): string {
  if (rows.length === 0) return 'No bot is running. Start one with /run <strategy> <symbol> (see /help).';
  const lines = rows.map(({ name, view, error }) => {
    if (!view) return `❔ ${name}: no answer (${error ?? 'no worker?'})`;
    const u = unrealizedOf(view);
    return `${STATUS_ICON[view.status] ?? '•'} ${name} ${view.status} — ${view.strategy} ${view.symbol}; position ${short(view.position.qty)}; PnL ${signed(view.realizedPnl)}${u !== null && !isZero(u) ? ` (open ${signed(u)})` : ''} ${quoteOf(view)}; ${view.openOrders.length} open order(s); ${view.stats.roundTrips} trade(s)${view.circuitBreaker && view.circuitBreaker.state !== 'closed' ? ' ⚡' : ''}`;
  });
  return clip(`Bots (${rows.length}):\n${lines.join('\n')}`);
}

/** /status <bot>: status, position, PnL, open orders, last decision. */
export function statusText(v: BotStateView, now: number): string {
  const q = quoteOf(v);
  const u = unrealizedOf(v);
  const lines = [
    `${STATUS_ICON[v.status] ?? '•'} ${v.name}: ${v.status}${v.stopReason ? ` (${v.stopReason})` : ''}`,
    `${v.strategy} on ${v.symbol} ${v.interval}, account ${v.account}`,
    `position ${short(v.position.qty)}${isPositive(v.position.qty) ? ` @ ${short(v.position.avgEntryPrice)}` : ''}; last price ${short(v.lastPrice)}`,
    `PnL: realised ${signed(v.realizedPnl)} ${q}, unrealised ${u === null ? '-' : `${signed(u)} ${q}`}`,
    `trades ${v.stats.roundTrips} (won ${v.stats.wins}), orders ${v.stats.ordersPlaced} placed / ${v.stats.ordersRejected} refused, fills ${v.stats.fills}`,
    `open orders (${v.openOrders.length}):${v.openOrders.length === 0 ? ' none' : ''}`,
    ...v.openOrders.map(orderLine),
    `last event ${ago(v.lastEventTime, now)}`,
  ];
  const b = breakerLine(v);
  if (b) lines.push(b);
  const notes = v.notifications.filter((n) => n.level !== 'info').slice(-2);
  for (const n of notes) lines.push(`${n.level === 'error' ? '❗' : '⚠️'} ${n.message}`);
  return clip(lines.join('\n'));
}

/** /trades <bot> [n]: the last n fills and round trips. */
export function tradesText(v: BotStateView, ledger: BotLedger, n: number): string {
  const q = quoteOf(v);
  const fills = ledger.orders
    .flatMap((o) => o.fills.map((f) => ({ o, f })))
    .sort((a, b) => b.f.time - a.f.time)
    .slice(0, n);
  const trips = [...ledger.trades].sort((a, b) => b.closedAt - a.closedAt).slice(0, n);
  const lines = [`${v.name}: last ${fills.length} fill(s)`];
  for (const { o, f } of fills)
    lines.push(
      `  ${new Date(f.time).toISOString().slice(5, 19).replace('T', ' ')} ${o.request.side} ${short(f.qty)} @ ${short(f.price)} (${o.tag}, ${o.purpose})`,
    );
  if (fills.length === 0) lines.push('  none yet');
  lines.push(`trades (${v.stats.roundTrips} in all), newest first:`);
  for (const t of trips)
    lines.push(
      `  ${new Date(t.closedAt).toISOString().slice(5, 16).replace('T', ' ')} ${short(t.entryQty)} ${short(t.avgEntryPrice)} → ${short(t.avgExitPrice)}: ${signed(t.pnl)} ${q}`,
    );
  if (trips.length === 0) lines.push('  none closed yet');
  return clip(lines.join('\n'));
}

/** Largest fall of cumulative PnL from a peak, over round trips in closing order. */
export function maxDrawdown(trips: readonly RoundTrip[]): Dec {
  let cum = d(0);
  let peak = d(0);
  let worst = d(0);
  for (const t of [...trips].sort((a, b) => a.closedAt - b.closedAt)) {
    cum = cum.plus(t.pnl);
    if (cum.gt(peak)) peak = cum;
    const dd = peak.minus(cum);
    if (dd.gt(worst)) worst = dd;
  }
  return str(worst);
}

export interface ProfitFigures {
  readonly realized: Dec;
  readonly unrealized: Dec;
  readonly trades: number;
  readonly wins: number;
  readonly winRate: number | null;
  readonly maxDrawdown: Dec;
  readonly best: Dec | null;
  readonly worst: Dec | null;
}

export function profitFigures(views: readonly BotStateView[]): ProfitFigures {
  let realized: Dec = '0';
  let unrealized: Dec = '0';
  let trades = 0;
  let wins = 0;
  const trips: RoundTrip[] = [];
  for (const v of views) {
    realized = add(realized, v.realizedPnl);
    unrealized = add(unrealized, unrealizedOf(v) ?? '0');
    trades += v.stats.roundTrips;
    wins += v.stats.wins;
    trips.push(...v.trades);
  }
  const pnls = trips.map((t) => d(t.pnl));
  return {
    realized,
    unrealized,
    trades,
    wins,
    winRate: trades > 0 ? wins / trades : null,
    maxDrawdown: maxDrawdown(trips),
    best: pnls.length > 0 ? str(pnls.reduce((a, b) => (b.gt(a) ? b : a))) : null,
    worst: pnls.length > 0 ? str(pnls.reduce((a, b) => (b.lt(a) ? b : a))) : null,
  };
}

/** /profit [bot]. Quote assets are assumed the same across bots (their quote is named when it is one). */
export function profitText(title: string, views: readonly BotStateView[]): string {
  if (views.length === 0) return `${title}: no bot to report on.`;
  const f = profitFigures(views);
  const quotes = [...new Set(views.map(quoteOf))];
  const q = quotes.length === 1 ? ` ${quotes[0]}` : ` (mixed quote assets: ${quotes.join(', ')})`;
  return clip(
    [
      `💹 ${title}`,
      `realised ${signed(f.realized)}${q}; unrealised ${signed(f.unrealized)}; total ${signed(add(f.realized, f.unrealized))}`,
      `trades ${f.trades}, won ${f.wins}, win rate ${f.winRate === null ? '-' : `${(100 * f.winRate).toFixed(1)} %`}`,
      `max drawdown ${short(f.maxDrawdown)} (over the last ${views.reduce((n, v) => n + v.trades.length, 0)} trades kept)`,
      `best trade ${f.best === null ? '-' : signed(f.best)}, worst ${f.worst === null ? '-' : signed(f.worst)}`,
    ].join('\n'),
  );
}

/** /daily [n]: realised PnL per UTC day over the last n days, from the round trips of every bot. */
export function dailyText(views: readonly BotStateView[], days: number, now: number): string {
  const dayMs = 86_400_000;
  const today = Math.floor(now / dayMs);
  const rows: Array<{ pnl: Dec; trades: number }> = Array.from({ length: days }, () => ({ pnl: '0', trades: 0 }));
  for (const v of views) {
    for (const t of v.trades) {
      const i = today - Math.floor(t.closedAt / dayMs);
      if (i < 0 || i >= days) continue;
      rows[i] = { pnl: add(rows[i]!.pnl, t.pnl), trades: rows[i]!.trades + 1 };
    }
  }
  const quotes = [...new Set(views.map(quoteOf))];
  const lines = rows.map(
    (r, i) =>
      `${new Date((today - i) * dayMs).toISOString().slice(0, 10)}  ${signed(r.pnl).padStart(12)}  ${r.trades} trade(s)`,
  );
  return clip(
    `📅 Daily realised PnL${quotes.length === 1 ? ` (${quotes[0]})` : ''}, last ${days} day(s), UTC:\n${lines.join('\n')}`,
  );
}

export function balanceText(r: BalanceReport): string {
  const lines = [
    `💼 ${r.account}: total ${short(r.totalBalance)} USDT`,
    `USDT free ${short(r.liquid.free)}, locked ${short(r.liquid.locked)}`,
  ];
  for (const t of r.inTokens)
    lines.push(
      `${t.symbol.replace(/USDT$/, '')}: ${short(t.freeTokens)} free${isPositive(t.lockedTokens) ? ` + ${short(t.lockedTokens)} locked` : ''}${t.freeUSDT !== null ? ` ≈ ${short(add(t.freeUSDT, t.lockedUSDT ?? '0'))} USDT` : ''}`,
    );
  return clip(lines.join('\n'));
}

/** What /stop asks before stopping. */
export function stopQuestion(v: BotStateView, onStop: string): string {
  const what =
    onStop === 'close-position'
      ? 'cancel its open orders and sell its position at market'
      : onStop === 'leave-orders'
        ? 'leave its open orders on the exchange'
        : 'cancel its open orders (the position stays)';
  return `Stop ${v.name}? It holds ${short(v.position.qty)} ${splitSymbol(v.symbol).base} with ${v.openOrders.length} open order(s); stopping will ${what} (onStop: ${onStop}). Realised PnL so far ${signed(sub(v.realizedPnl, '0'))} ${quoteOf(v)}.`;
}
