/**
 * The contract's and the domain's types a strategy names, in one import with the kit
 * (`import * as kit from '../strategy-kit'`: `kit.Decision`, `kit.OrderRecord`, ...). Types only.
 */
export type { Dec } from '../decimal';
export type { BookSnapshot, Candle, CandleInterval, SymbolFilters } from '../market';
export type { Fill, OrderRecord, OrderSide, OrderStatus } from '../orders';
export type { Decision, Intent, Json, PlaceIntent, StrategyContext, StrategyEvent } from '../strategy';
