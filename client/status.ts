/**
 * `bots status`: one row per bot, from its `state` query. Whatever a workflow answers (or fails to
 * answer) stays in its own row: a raw start whose id does not match its name, a run of an old
 * version, a bot whose worker is down — each is shown as such, never breaking the table for the
 * others.
 */
import type { Client } from '@temporalio/client';
import { d, isDecimalString, str } from '../core/decimal';
import { type BotStateView, stateQuery } from '../workflows/messages';
import { type BotListing, QUERY_DEADLINE_MS, listBots } from './bots';
import { explainTemporalError } from './errors';

export const STATUS_HEADERS = [
  'bot',
  'strategy',
  'symbol',
  'status',
  'position',
  'avg entry',
  'realised PnL',
  'open orders',
  'trades',
  'breaker',
  'last event',
  'note',
] as const;

export type StatusRow = readonly (string | number)[];

/** At most `decimals` decimals, trailing zeros dropped; anything not a decimal shown as "?". */
function amount(value: unknown, decimals = 8): string {
  return isDecimalString(value) ? str(d(value).toDecimalPlaces(decimals)) : '?';
}

function time(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 8.64e15
    ? new Date(value).toISOString()
    : '-';
}

/** The account's circuit breaker as the bot last heard it (closed when never told otherwise). */
function breakerState(view: unknown): string {
  if (view === undefined || view === null) return 'closed';
  const state = (view as { state?: unknown }).state;
  return typeof state === 'string' ? state : '?';
}

/** Open orders, with those awaiting the exchange's proof (UNKNOWN outcome) and any left by an earlier incarnation called out. */
function openOrdersCell(open: readonly unknown[], inherited: unknown): string | number {
  const unknown = open.filter(
    (o) => typeof o === 'object' && o !== null && (o as { status?: unknown }).status === 'UNKNOWN',
  ).length;
  const left = Array.isArray(inherited) ? inherited.length : 0;
  const notes = [unknown > 0 ? `${unknown} UNKNOWN` : '', left > 0 ? `${left} inherited` : ''].filter(Boolean);
  return notes.length > 0 ? `${open.length} (${notes.join(', ')})` : open.length;
}

/** A row from whatever the query answered: fields of the wrong shape show as "?". */
export function rowFromState(
  listing: Pick<BotListing, 'name' | 'strategy' | 'symbol' | 'workflowId'>,
  raw: unknown,
): StatusRow {
  const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<BotStateView> & Record<string, unknown>;
  const text = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const notes: string[] = [];
  if (s.blocked && typeof s.blocked === 'object' && typeof s.blocked.reason === 'string')
    notes.push(`blocked: ${s.blocked.reason}`);
  if (s.inputRejections && typeof s.inputRejections.count === 'number' && s.inputRejections.count > 0)
    notes.push(`${s.inputRejections.count} message(s) refused`);
  if (typeof s.name === 'string' && `bot-${s.name}` !== listing.workflowId)
    notes.push(`workflow id ${listing.workflowId} does not match the name`);
  if (typeof raw !== 'object' || raw === null || typeof s.status !== 'string')
    notes.push('answer not understood (not a bot of this version?)');
  return [
    text(s.name, listing.name),
    text(s.strategy, listing.strategy || '?'),
    text(s.symbol, listing.symbol || '?'),
    text(s.status, '?'),
    amount(s.position?.qty),
    amount(s.position?.avgEntryPrice),
    amount(s.realizedPnl),
    Array.isArray(s.openOrders) ? openOrdersCell(s.openOrders, s.inherited) : '?',
    typeof s.stats?.roundTrips === 'number' ? s.stats.roundTrips : '?',
    breakerState(s.circuitBreaker),
    time(s.lastEventTime),
    notes.join('; '),
  ];
}

/** Rows for the running bots (or the named ones), each query bounded by a deadline. */
export async function statusRows(client: Client, names?: readonly string[]): Promise<StatusRow[]> {
  const listings = await listBots(client);
  const wanted = names && names.length > 0 ? names : null;
  const chosen: Array<Pick<BotListing, 'name' | 'strategy' | 'symbol' | 'workflowId'>> = wanted
    ? wanted.map(
        (n) => listings.find((l) => l.name === n) ?? { name: n, strategy: '', symbol: '', workflowId: `bot-${n}` },
      )
    : listings;
  return Promise.all(
    chosen.map(async (listing) => {
      const deadline = Date.now() + QUERY_DEADLINE_MS;
      try {
        const answer = await client.connection.withDeadline(deadline, () =>
          client.workflow.getHandle(listing.workflowId).query(stateQuery),
        );
        return rowFromState(listing, answer);
      } catch (err) {
        // Past its deadline, gRPC reports the abandoned call as DEADLINE_EXCEEDED or, as often,
        // CANCELLED ("Call cancelled"): either way the workflow did not answer in time.
        const why = explainTemporalError(err, {
          what: `workflow ${listing.workflowId}`,
          deadlinePassed: Date.now() >= deadline,
        });
        return [
          listing.name,
          listing.strategy || '?',
          listing.symbol || '?',
          'UNANSWERED',
          '?',
          '?',
          '?',
          '?',
          '?',
          '?',
          '-',
          why.slice(0, 200),
        ];
      }
    }),
  );
}
