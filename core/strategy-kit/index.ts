/**
 * The strategy kit: what a strategy needs besides its own rules, on top of the unchanged contract
 * of core/strategy.ts (docs/writing-a-strategy.md walks through it). Pure: no I/O, no clock, no
 * randomness, no Temporal.
 *
 * - define.ts: `defineKitStrategy`, per-event hooks instead of one `switch`;
 * - warmup.ts, indicators.ts: declared history and indicators, fed by the kit;
 * - keys.ts, orders.ts: orders named by structured keys, intents, what a final order delivered;
 * - add-order.ts: the seed's `add_order` for an entry (market or limit with a timeout);
 * - levels.ts: price levels between two bounds (arithmetic or geometric), the size of each order;
 * - price-stops.ts: stop the bot when a close leaves the range it trades;
 * - sizing.ts: entries sized by the risk layer (core/risk/sizing.ts) from the context;
 * - machine.ts, round-trip.ts, slots.ts, exits.ts: sub-machines kept in the strategy's state (a
 *   market round trip; numbered order slots with retries; take-profit ladder, stop-loss, trailing);
 * - latch.ts: an indicator's extreme that blocks until it is back to a reset level, journalled;
 * - journal.ts, rules.ts, conditions.ts: decisions that explain themselves, rules written as data;
 * - types.ts: the contract's types (`kit.Decision`, `kit.OrderRecord`, ...).
 */
export * from './add-order';
export * from './conditions';
export * from './define';
export * from './exits';
export * from './indicators';
export * from './journal';
export * from './keys';
export * from './latch';
export * from './levels';
export * from './machine';
export * from './orders';
export * from './price-stops';
export * from './round-trip';
export * from './rules';
export * from './sizing';
export * from './slots';
export type * from './types';
export * from './warmup';
