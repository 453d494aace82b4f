/** The strategy registry: every strategy a bot definition may name. Pure. */
import type { AnyStrategy } from '../strategy';
import { dcaTakeProfit } from './dca-take-profit';
import { modelScalper } from './model-scalper';
import { rsiSniper } from './rsi-sniper';
import { bookImbalance } from './book-imbalance';
import { macdPortfolio } from './macd-portfolio';
import { smartTrade } from './smart-trade';
import { grid } from './grid';
import { rangeBreakout } from './range-breakout';
import { benchEcho } from './bench-echo';
import { rsiDip } from './rsi-dip';
import { faultDca } from './fault-dca';

// bench-echo is a benchmark tool (npm run bench) and fault-dca a fault-injection tool (npm run
// torture), registered so their bots can name them.
const ALL: readonly AnyStrategy[] = [
  dcaTakeProfit,
  modelScalper,
  rsiSniper,
  bookImbalance,
  macdPortfolio,
  smartTrade,
  grid,
  rangeBreakout,
  rsiDip,
  benchEcho,
  faultDca,
];

export const STRATEGIES: Readonly<Record<string, AnyStrategy>> = Object.fromEntries(ALL.map((s) => [s.id, s]));

/**
 * The strategy with this id, or undefined. Looked up as an own property only: "toString",
 * "constructor" or "__proto__" are names of Object's prototype, not strategies.
 */
export function findStrategy(id: unknown): AnyStrategy | undefined {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(STRATEGIES, id) ? STRATEGIES[id] : undefined;
}

export function strategyIds(): string[] {
  return Object.keys(STRATEGIES).sort();
}
