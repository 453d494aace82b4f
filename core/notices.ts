/**
 * What a person is told about a bot, derived from two kernel states: entries and exits filled
 * (price, quantity, PnL), stop-loss hits, single fills, the bot stopping or failing, and the
 * kernel's own notes (errors, warnings, the strategy's messages). Pure and deterministic: the bot
 * workflow derives the same notices, with the same ids, every time its history is replayed, so a
 * notice id is the idempotency key of its delivery (activities/notify.ts).
 *
 * Nothing here reads a clock or does I/O.
 */
import { type Dec, d, isPositive, isZero, str, sub } from './decimal';
import { type BotState, type RoundTrip, openOrders } from './kernel';
import { type OrderRecord, isFinalStatus } from './orders';
import { splitSymbol } from './symbols';

/** Kinds a user can set to on / silent / off (alerts are their own kind, see monitoring/). */
export const NOTICE_KINDS = [
  'entry',
  'exit',
  'stoploss',
  'fill',
  'stopped',
  // No bot status produces it any more; kept so saved notice settings naming it stay valid.
  'failed',
  'error',
  'warning',
  'info',
  'alert',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
  /** Unique per bot incarnation and event; the same on every replay. */
  readonly id: string;
  readonly kind: NoticeKind;
  readonly bot: string;
  readonly time: number;
  /** Plain text, ready to send (Telegram, log, webhook). */
  readonly text: string;
}

/** Orders whose exit is a stop: a stop leg, or a market exit the strategy calls a stop-loss. */
export function isStopLoss(order: OrderRecord): boolean {
  const type = order.request.type;
  if (type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT') return true;
  if (type !== 'MARKET') return false;
  return /stop[-_ ]?loss|\bsl\b/i.test(`${order.tag} ${order.reason ?? ''}`);
}

function short(value: Dec): string {
  return str(d(value).toDecimalPlaces(8));
}

function signed(value: Dec): string {
  const s = short(value);
  return s.startsWith('-') || s === '0' ? s : `+${s}`;
}

function avgPrice(order: OrderRecord): Dec {
  return isPositive(order.executedQty)
    ? str(d(order.cumulativeQuoteQty).dividedBy(order.executedQty).toDecimalPlaces(8))
    : '0';
}

function tripLine(trip: RoundTrip, quote: string): string {
  const cost = d(trip.entryQty).times(trip.avgEntryPrice);
  const pct = cost.isZero() ? null : d(trip.pnl).dividedBy(cost).times(100).toDecimalPlaces(2);
  return `trade PnL ${signed(trip.pnl)} ${quote}${pct === null ? '' : ` (${signed(str(pct))}%)`}, entry ${short(trip.avgEntryPrice)} → exit ${short(trip.avgExitPrice)}`;
}

/** A short, stable digest of a text (FNV-1a), to key notes that carry no id of their own. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** The kernel's own lifecycle notes, already told by the `stopped` notice. */
const LIFECYCLE_NOTE = /^(stopping \(|stopped: )/;

/**
 * Everything to tell about what happened between `before` and `after` (one step, or all the
 * steps of one inbox drain; `after` derives from `before`).
 */
export function noticesBetween(before: BotState, after: BotState): Notice[] {
  if (before === after) return [];
  const bot = after.setup.name;
  const tag = after.clientIdTag;
  const time = after.lastEventTime ?? 0;
  const out: Notice[] = [];
  const exits: Array<{ notice: Mutable<Notice>; order: OrderRecord }> = [];

  for (const order of Object.values(after.orders)) {
    const prev = before.orders[order.clientOrderId];
    if (prev === order) continue;
    const quote = splitSymbol(
      order.request.symbol,
      order.request.symbol === after.setup.symbol ? after.filters : after.otherFilters?.[order.request.symbol],
    ).quote;
    const seen = prev?.fills.length ?? 0;
    for (const fill of order.fills.slice(seen)) {
      out.push({
        id: `${tag}/fill/${order.clientOrderId}/${fill.tradeId}`,
        kind: 'fill',
        bot,
        time: fill.time,
        text: `• ${bot}: fill ${order.request.side} ${short(fill.qty)} ${order.request.symbol} @ ${short(fill.price)} (${short(fill.quoteQty)} ${quote}; ${order.tag}, ${order.purpose})`,
      });
    }
    const endedNow = isFinalStatus(order.status) && !(prev && isFinalStatus(prev.status));
    if (!endedNow || !isPositive(order.executedQty)) continue;
    const partial = order.status !== 'FILLED' ? ` (partly: ${order.status.toLowerCase()})` : '';
    const what = `${order.request.side} ${short(order.executedQty)} ${order.request.symbol} @ ${short(avgPrice(order))} (${short(order.cumulativeQuoteQty)} ${quote})${partial}`;
    if (order.purpose === 'entry') {
      out.push({
        id: `${tag}/entry/${order.clientOrderId}`,
        kind: 'entry',
        bot,
        time: order.updatedAt,
        text: `🟢 ${bot}: entry filled — ${what}${order.reason ? `\nwhy: ${order.reason}` : ''}`,
      });
    } else {
      const stop = isStopLoss(order);
      const notice: Mutable<Notice> = {
        id: `${tag}/exit/${order.clientOrderId}`,
        kind: stop ? 'stoploss' : 'exit',
        bot,
        time: order.updatedAt,
        text: `${stop ? '🛑' : '💰'} ${bot}: ${stop ? 'stop-loss hit' : 'exit filled'} — ${what}${order.reason ? `\nwhy: ${order.reason}` : ''}`,
      };
      out.push(notice);
      exits.push({ notice, order });
    }
  }

  // PnL: the round trips closed, and what was realised, go with the exits of the same span.
  const quote = splitSymbol(after.setup.symbol, after.filters).quote;
  const closed = Math.max(0, after.stats.roundTrips - before.stats.roundTrips);
  const trips = closed > 0 ? after.trades.slice(-closed) : [];
  const realised = sub(after.position.realizedPnl, before.position.realizedPnl);
  const last = exits[exits.length - 1];
  if (last) {
    const lines = [
      `realised ${signed(realised)} ${quote}, position now ${short(after.position.qty)}`,
      ...trips.map((t) => tripLine(t, quote)),
    ];
    last.notice.text = `${last.notice.text}\n${lines.join('\n')}`;
  } else if (trips.length > 0) {
    for (const [i, trip] of trips.entries()) {
      out.push({
        id: `${tag}/trip/${before.stats.roundTrips + i + 1}`,
        kind: 'exit',
        bot,
        time: trip.closedAt,
        text: `💰 ${bot}: trade closed — ${tripLine(trip, quote)}`,
      });
    }
  }

  if (after.status !== before.status && after.status === 'STOPPED') {
    const pnl = after.position.realizedPnl;
    const open = openOrders(after).length;
    out.push({
      id: `${tag}/stopped`,
      kind: 'stopped',
      bot,
      time,
      text: `⏹ ${bot} stopped${after.stopReason ? ` (${after.stopReason})` : ''} — realised PnL ${signed(pnl)} ${quote}, ${after.stats.roundTrips} trade(s), position ${short(after.position.qty)}${isZero(after.position.qty) ? '' : ` ${splitSymbol(after.setup.symbol, after.filters).base}`}, open orders left ${open}`,
    });
  }

  const known = new Set(before.notifications);
  for (const note of after.notifications) {
    if (known.has(note)) continue;
    if (note.level === 'info' && LIFECYCLE_NOTE.test(note.message)) continue;
    const kind: NoticeKind = note.level === 'error' ? 'error' : note.level === 'warn' ? 'warning' : 'info';
    const icon = kind === 'error' ? '❗' : kind === 'warning' ? '⚠️' : 'ℹ️';
    out.push({
      id: `${tag}/note/${note.time}/${digest(`${note.level}:${note.message}`)}`,
      kind,
      bot,
      time: note.time,
      text: `${icon} ${bot}: ${note.message}`,
    });
  }
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
