/**
 * Wait until a futures bot and the paper perpetual agree: nothing in flight, the same open orders
 * and algo orders, every fill of the bot's client ids known to the bot, and the bot's signed
 * position equal to the exchange's positionRisk.
 */
import type { BotStateView } from '../../workflows/messages';
import { type Harness, eventually } from './harness';

export async function futuresAgreement(
  h: Harness,
  name: string,
  symbol = 'BTCUSDT',
  timeoutMs = 60_000,
): Promise<BotStateView> {
  return eventually(
    async () => {
      const s = await h.state(name);
      const mine = (id: string) => id.startsWith(`${s.clientIdTag}-`);
      if (s.activitiesInFlight > 0 || s.pendingEvents > 0)
        throw new Error(`${name}: ${s.activitiesInFlight} activities in flight, ${s.pendingEvents} events pending`);
      if (s.openOrders.some((o) => o.status === 'SUBMITTING' || o.cancelRequested))
        throw new Error(`${name}: orders in flight: ${s.openOrders.map((o) => `${o.tag}:${o.status}`).join()}`);
      const perp = h.exchange.futures.perp;
      const exchangeOpen = [
        ...perp.openOrders('paper', symbol).map((o) => o.clientOrderId),
        ...perp.openAlgos('paper', symbol).map((a) => a.clientAlgoId),
      ]
        .filter(mine)
        .sort();
      const botOpen = s.openOrders.map((o) => o.clientOrderId).sort();
      if (exchangeOpen.join() !== botOpen.join())
        throw new Error(`${name}: open orders differ: exchange [${exchangeOpen.join()}] bot [${botOpen.join()}]`);
      const fills = perp.allFills().filter((f) => f.accountId === 'paper' && mine(f.clientOrderId));
      if (fills.length !== s.stats.fills)
        throw new Error(`${name}: fills differ: exchange ${fills.length} bot ${s.stats.fills}`);
      const amt = perp.positions('paper', symbol)[0]?.positionAmt ?? '0';
      if (Number(amt) !== Number(s.position.qty))
        throw new Error(`${name}: position ${s.position.qty} but positionRisk says ${amt}`);
      return s;
    },
    timeoutMs,
    200,
  );
}
