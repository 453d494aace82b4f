/**
 * Readable digests of a bot for people: the one-line summaries the Temporal Web UI shows (static
 * summary, current details, one line per order activity), the decisions with their reasons, the
 * fills and the PnL curve the dashboard draws. Pure: the workflow, the control API and the tests
 * share it.
 */
import { type Dec, add, d, isPositive, str } from './decimal';
import { type BotStatus, type RoundTrip, unrealizedPnl } from './kernel';
import type { OcoRequest, OrderRecord, OrderRequest } from './orders';
import type { PositionView } from './strategy';
import { splitSymbol } from './symbols';

/** One decision and why, from the strategy's own record or from an order it placed. */
export interface DecisionView {
  readonly time: number;
  readonly source: 'strategy' | 'order';
  readonly action: string;
  readonly reason: string;
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
}

/** One execution of one of the bot's orders, with the order's tag, purpose and reason. */
export interface FillView {
  readonly time: number;
  readonly clientOrderId: string;
  readonly tradeId: number;
  readonly tag: string;
  readonly purpose: 'entry' | 'exit';
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly price: Dec;
  readonly qty: Dec;
  readonly quoteQty: Dec;
  readonly commission: Dec;
  readonly commissionAsset: string;
  readonly reason?: string;
}

/** A point of the realised PnL curve (after each closed round trip), plus the open position's last. */
export interface PnlPoint {
  readonly time: number;
  readonly realized: Dec;
  /** realised + unrealised at that time (the open position is valued at the last price only). */
  readonly total: Dec;
}

/** What the current details need, a subset of the bot state and of the `state` query's view. */
export interface DigestInput {
  /**
   * The static summary again (strategy, symbol, account): a continue-as-new run has no static
   * summary (neither the SDK's continueAsNew nor the server carries it), its details keep this line.
   */
  readonly title?: string;
  readonly status: BotStatus;
  readonly symbol: string;
  readonly position: PositionView;
  readonly lastPrice: Dec | null;
  readonly openOrders: readonly OrderRecord[];
  readonly strategyState: unknown;
  readonly stopReason?: string | null;
}

const MAX_LINE = 160;

function oneLine(text: string, max = MAX_LINE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** At most 8 decimals, trailing zeros dropped: enough for people, exact values stay in the state. */
export function short(value: Dec): string {
  return str(d(value).toDecimalPlaces(8));
}

/** The strategy's own decision records (seed strategies keep `decisions: [{time, action, reason}]`). */
function strategyDecisions(strategyState: unknown): DecisionView[] {
  const list = (strategyState as { decisions?: unknown } | null)?.decisions;
  if (!Array.isArray(list)) return [];
  const out: DecisionView[] = [];
  for (const r of list) {
    if (typeof r !== 'object' || r === null) continue;
    const { time, action, reason, facts } = r as Record<string, unknown>;
    if (typeof time !== 'number' || typeof reason !== 'string') continue;
    out.push({
      time,
      source: 'strategy',
      action: typeof action === 'string' ? action : 'decision',
      reason,
      ...(facts && typeof facts === 'object' ? { facts: facts as DecisionView['facts'] } : {}),
    });
  }
  return out;
}

/** Every decision known, oldest first: the strategy's records and each order's reason. */
export function decisionsOf(strategyState: unknown, orders: readonly OrderRecord[]): DecisionView[] {
  const fromOrders = orders.map((o): DecisionView => ({
    time: o.createdAt,
    source: 'order',
    action: `${o.request.side} ${o.tag} (${o.purpose})`,
    reason: o.reason ?? (o.rejectReason ? `rejected: ${o.rejectReason}` : 'no reason given by the strategy'),
    ...(o.facts ? { facts: o.facts } : {}),
  }));
  return [...strategyDecisions(strategyState), ...fromOrders].sort((a, b) => a.time - b.time);
}

export function lastDecision(strategyState: unknown, orders: readonly OrderRecord[]): DecisionView | null {
  const all = decisionsOf(strategyState, orders);
  return all.length > 0 ? all[all.length - 1]! : null;
}

/** The fills of the given orders, oldest first. */
export function fillsOf(orders: readonly OrderRecord[]): FillView[] {
  const out: FillView[] = [];
  for (const o of orders) {
    for (const f of o.fills) {
      out.push({
        time: f.time,
        clientOrderId: o.clientOrderId,
        tradeId: f.tradeId,
        tag: o.tag,
        purpose: o.purpose,
        symbol: o.request.symbol,
        side: o.request.side,
        price: f.price,
        qty: f.qty,
        quoteQty: f.quoteQty,
        commission: f.commission,
        commissionAsset: f.commissionAsset,
        ...(o.reason ? { reason: o.reason } : {}),
      });
    }
  }
  return out.sort((a, b) => a.time - b.time || a.tradeId - b.tradeId);
}

/**
 * The realised PnL after each round trip the bot kept (its last 100), then one point now with the
 * open position at the last price. `realizedNow` is the bot's total: trips older than those kept
 * are folded into the first point, so the curve ends at the true figure.
 */
export function pnlCurve(
  trades: readonly RoundTrip[],
  realizedNow: Dec,
  position: PositionView,
  lastPrice: Dec | null,
  now: number,
): PnlPoint[] {
  const kept = trades.reduce((sum, t) => add(sum, t.pnl), '0' as Dec);
  let realized = str(d(realizedNow).minus(kept));
  const points: PnlPoint[] = [];
  for (const t of [...trades].sort((a, b) => a.closedAt - b.closedAt)) {
    realized = add(realized, t.pnl);
    points.push({ time: t.closedAt, realized, total: realized });
  }
  const open = lastPrice ? unrealizedPnl(position, lastPrice) : '0';
  points.push({
    time: Math.max(now, points[points.length - 1]?.time ?? now),
    realized: realizedNow,
    total: add(realizedNow, open),
  });
  return points;
}

function quoteOf(symbol: string): string {
  try {
    return splitSymbol(symbol).quote;
  } catch {
    return '';
  }
}

function amount(r: OrderRequest): string {
  if (r.quantity !== undefined) return short(r.quantity);
  if (r.quoteOrderQty !== undefined) return `${short(r.quoteOrderQty)} ${quoteOf(r.symbol)}`.trim();
  return '';
}

function why(order: OrderRecord | undefined): string {
  if (!order) return '';
  const base = `${order.tag} ${order.purpose}`;
  return order.reason ? `${base}: ${order.reason}` : base;
}

/** "BUY 0.01 ETHUSDT MARKET — lot-1 entry: buy every 2 candles", one line for the event history. */
export function placeSummary(request: OrderRequest, order: OrderRecord | undefined): string {
  const price = request.price !== undefined ? ` @ ${short(request.price)}` : '';
  const stop = request.stopPrice !== undefined ? ` stop ${short(request.stopPrice)}` : '';
  const reason = why(order);
  return oneLine(
    `${request.side} ${amount(request)} ${request.symbol} ${request.type}${price}${stop}${reason ? ` — ${reason}` : ''}`,
  );
}

export function ocoSummary(request: OcoRequest, order: OrderRecord | undefined): string {
  const leg = (l: OcoRequest['above']) => `${l.type} ${short(l.price ?? l.stopPrice ?? '0')}`;
  const reason = why(order);
  return oneLine(
    `OCO ${request.side} ${short(request.quantity)} ${request.symbol}: above ${leg(request.above)} / below ${leg(request.below)}${reason ? ` — ${reason}` : ''}`,
  );
}

export function cancelSummary(clientOrderId: string, symbol: string, order: OrderRecord | undefined): string {
  return oneLine(`CANCEL ${order ? `${order.request.side} ${order.tag} ` : ''}${clientOrderId} on ${symbol}`);
}

/** The workflow's static summary in the Web UI: strategy, symbol, account. */
export function staticSummaryOf(def: {
  readonly name: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly interval: string;
  readonly account: string;
}): string {
  return oneLine(`${def.strategy} on ${def.symbol} ${def.interval} · account ${def.account}`);
}

/** Static details (markdown): what the bot runs with. Params can change later; these are the first ones. */
export function staticDetailsOf(def: {
  readonly name: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly account: string;
  readonly onStop: string;
  readonly params: unknown;
}): string {
  return [
    `**bot** ${def.name}`,
    `**strategy** ${def.strategy}`,
    `**symbol** ${def.symbol}`,
    `**account** ${def.account}`,
    `**on stop** ${def.onStop}`,
    `**params at start** ${oneLine(JSON.stringify(def.params), 400)}`,
  ].join('\n\n');
}

/** The current details (markdown): status, position, PnL, open orders, last decision and its reason. */
export function currentDetailsOf(input: DigestInput, orders: readonly OrderRecord[]): string {
  const quote = quoteOf(input.symbol);
  const money = (v: Dec) => `${short(v)}${quote ? ` ${quote}` : ''}`;
  const p = input.position;
  const position = isPositive(p.qty) ? `${short(p.qty)} @ ${short(p.avgEntryPrice)}` : 'flat';
  const unrealized = input.lastPrice ? money(unrealizedPnl(p, input.lastPrice)) : '—';
  const lines = [
    ...(input.title ? [input.title] : []),
    `**${input.status}** · position ${position} · realised ${money(p.realizedPnl)} · unrealised ${unrealized} · ${input.openOrders.length} open order${input.openOrders.length === 1 ? '' : 's'}${input.lastPrice ? ` · last ${short(input.lastPrice)}` : ''}`,
  ];
  if (input.stopReason) lines.push(`stop: ${oneLine(input.stopReason)}`);
  const last = lastDecision(input.strategyState, orders);
  lines.push(
    last
      ? `last decision ${new Date(last.time).toISOString().slice(0, 19).replace('T', ' ')} UTC — ${oneLine(`${last.action}: ${last.reason}`)}`
      : 'no decision yet',
  );
  return lines.join('\n\n');
}
