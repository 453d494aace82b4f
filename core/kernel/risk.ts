/** The risk guard's view of the bot and its bookkeeping (core/risk/guard.ts); its kill-switch stops the bot. */
import { type RiskView, killSwitch, updateRiskState } from '../risk/guard';
import type { Kernel } from './kernel';

export function riskView(k: Kernel): RiskView {
  return {
    now: k.now,
    position: k.s.position,
    lastPrice: k.s.lastPrice,
    openOrders: k.openOrders(),
    balances: k.s.balances,
  };
}

/** Refresh the guard's bookkeeping; its kill-switch stops the bot. */
export function updateRisk(k: Kernel): void {
  k.s.risk = updateRiskState(k.s.risk, riskView(k), k.s.setup.risk);
  const kill = killSwitch(k.s.risk, riskView(k), k.s.setup.risk);
  if (kill) k.beginStop(`risk: ${kill}`);
}
