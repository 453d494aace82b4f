/**
 * The kernel-level risk guard shared by every strategy: it sees every entry before it reaches the
 * exchange and may refuse it (max open trades, drawdown kill-switch, ...). Configured per bot with
 * the definition's `risk` field. Pure.
 *
 * The kernel calls `updateRiskState` after every candle and fill, and `checkEntry` for every entry
 * intent; a non-null answer refuses the entry with that reason (reported to the strategy like an
 * exchange rejection). `killSwitch` returning a reason stops the bot.
 */
import { z } from 'zod';
import type { Dec } from '../decimal';
import type { OrderRecord } from '../orders';
import type { Json, PositionView } from '../strategy';

export const riskConfigSchema = z.object({}).strict();
export type RiskConfig = z.output<typeof riskConfigSchema>;

export interface RiskView {
  readonly now: number;
  readonly position: PositionView;
  readonly lastPrice: Dec | null;
  readonly openOrders: readonly OrderRecord[];
  readonly balances: { readonly base: Dec; readonly quote: Dec } | null;
}

export function initialRiskState(): Json {
  return {};
}

export function updateRiskState(riskState: Json, _view: RiskView, _config: RiskConfig): Json {
  return riskState;
}

export function checkEntry(_riskState: Json, _view: RiskView, _config: RiskConfig): string | null {
  return null;
}

export function killSwitch(_riskState: Json, _view: RiskView, _config: RiskConfig): string | null {
  return null;
}
