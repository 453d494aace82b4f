/**
 * The torture's futures bot (scripts/torture.ts): one bot with `market: "futures"` trading the
 * paper exchange's BTCUSDT perpetual through the same kills, server kills, resets and faults as
 * the spot bots (the faults' placement endpoints include POST /fapi/v1/order and the algo
 * endpoint); every other reset of the run is its own. After a reset its reconciliation scans the
 * USDⓈ-M account for its lineage's orders the discarded branch placed (activities/futures-lineage.ts)
 * and adopts them. Not terminated and restarted: one-way mode has one position per account +
 * symbol, which a new incarnation would take over. At the end it must agree with the exchange:
 * the perpetual's fills of its orders are the bot's fills, its signed position is positionRisk's
 * positionAmt and the fills' sum, its open orders and conditional orders are the exchange's, no
 * client id executed twice, and while a position is open exactly one protective closePosition
 * stop, the bot's, rests on the exchange.
 */
import { tagOf } from '../core/client-ids';
import type { BotDefinition } from '../core/bot-definition';
import { Decimal } from '../core/decimal';
import { PROTECT_TAG } from '../core/futures/protection';
import type { BotStateView } from '../workflows/messages';
import { type Exchange, liveness } from './torture-consistency';

export const FUTURES_BOT = 'torture-futures';
const SYMBOL = 'BTCUSDT';
export const FUTURES_WALLET = { USDT: '100000' };

/** DCA on the perpetual at 5× (its protective stop 10 % away), take-profits reduce-only; 0.004 BTC is above the 100 USDT minimum notional of BTCUSDT. */
export function futuresDefinition(): BotDefinition {
  return {
    name: FUTURES_BOT,
    strategy: 'dca-take-profit',
    symbol: SYMBOL,
    interval: '1m', // futures have no 1s candles: an entry a minute, take-profits filled by the ticks
    account: 'paper',
    market: 'futures',
    futures: { leverage: 5, marginType: 'ISOLATED' },
    risk: {},
    onStop: 'cancel-orders',
    params: { everyCandles: 1, quantity: '0.004', takeProfitPct: '0.05', maxLots: 3 },
  };
}

const mine = (s: BotStateView) => (id: string) => id.startsWith(`${s.clientIdTag}-`);

/** Why the futures bot does not (yet) agree with the perpetual; empty when it does. */
export function futuresDisagreements(s: BotStateView, exchange: Exchange): string[] {
  const issues = liveness(s);
  const perp = exchange.futures.perp;
  const isMine = mine(s);
  const venueOpen = [
    ...perp.openOrders('paper', SYMBOL).map((o) => o.clientOrderId),
    ...perp.openAlgos('paper', SYMBOL).map((a) => a.clientAlgoId),
  ]
    .filter(isMine)
    .sort();
  const botOpen = s.openOrders.map((o) => o.clientOrderId).sort();
  if (venueOpen.join() !== botOpen.join())
    issues.push(`${s.name}: open orders differ (exchange ${venueOpen.join(' ')}; bot ${botOpen.join(' ')})`);
  const fills = exchange.futures.audit.fills({ accountId: 'paper' }).filter((f) => isMine(f.clientOrderId));
  if (fills.length !== s.stats.fills)
    issues.push(`${s.name}: the perpetual has ${fills.length} fills, bot ${s.stats.fills}`);
  const summed = fills.reduce((q, f) => (f.side === 'BUY' ? q.plus(f.qty) : q.minus(f.qty)), new Decimal(0));
  const risk = new Decimal(perp.positions('paper', SYMBOL)[0]?.positionAmt ?? '0');
  if (!risk.equals(s.position.qty) || !summed.equals(risk))
    issues.push(
      `${s.name}: position ${s.position.qty}, positionRisk ${risk.toFixed()}, fills add up to ${summed.toFixed()}`,
    );
  if (!risk.isZero()) {
    const stop = s.openOrders.find((o) => o.tag === PROTECT_TAG && o.status === 'NEW');
    const onExchange = perp.openAlgos('paper', SYMBOL).filter((a) => isMine(a.clientAlgoId) && a.closePosition);
    if (!stop || onExchange.length !== 1 || onExchange[0]!.clientAlgoId !== stop.clientOrderId)
      issues.push(`${s.name}: position ${risk.toFixed()} open, ${onExchange.length} protective stops on the exchange`);
  }
  // Reduce-only exits never add up to more than the position (an exit placed twice after a reset).
  const exiting = s.openOrders
    .filter((o) => o.tag !== PROTECT_TAG && o.request.side === (risk.isNegative() ? 'BUY' : 'SELL'))
    .reduce((sum, o) => sum.plus(o.request.quantity ?? '0').minus(o.executedQty), new Decimal(0));
  if (exiting.gt(risk.abs()))
    issues.push(`${s.name}: resting exits ${exiting.toFixed()} exceed the position ${risk.abs().toFixed()}`);
  return issues;
}

/** The futures bot's figures and the duplicates among its client ids (exchange's audit). */
export function futuresFigures(s: BotStateView | undefined, exchange: Exchange): { line: string; duplicates: number } {
  const perp = exchange.futures.perp;
  const tag = s?.clientIdTag;
  const ours = (id: string) => tag !== undefined && tagOf(id) === tag;
  const orders = perp.allOrders('paper', SYMBOL).filter((o) => ours(o.clientOrderId)).length;
  const stops = perp.allAlgos('paper', SYMBOL).filter((a) => ours(a.clientAlgoId)).length;
  const fills = exchange.futures.audit.fills({ accountId: 'paper' }).filter((f) => ours(f.clientOrderId)).length;
  const duplicates = exchange.audit.duplicates().filter((d) => ours(d.clientOrderId)).length;
  const position = perp.positions('paper', SYMBOL)[0]?.positionAmt ?? '0';
  const adopted = s?.stats.adopted ?? 0;
  const corrections = s?.stats.positionCorrections ?? 0;
  return {
    line: `futures_orders=${orders} futures_stops=${stops} futures_fills=${fills} futures_position=${position} futures_bot_position=${s?.position.qty ?? '?'} futures_adopted=${adopted} futures_position_corrections=${corrections} futures_duplicates=${duplicates}`,
    duplicates,
  };
}
