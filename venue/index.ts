/**
 * # venue/ — a pure spot venue simulator (shared by the paper exchange and the backtester)
 *
 * No I/O, no clock, no randomness, no node builtins: every call takes the time as an argument and
 * the same calls always produce the same orders, fills, ids and events. Money is decimal strings.
 *
 * ## Model
 * - **Accounts** hold `free` and `locked` balances per asset. Placing an order reserves funds
 *   (BUY with a price: price × qty of quote; SELL: qty of base; an OCO reserves once for both legs).
 *   Fills pay from the reservation, leftovers are released when the order is final. BUY stop-market
 *   orders reserve nothing (in an OCO: the stop price) and, once triggered, buy what the
 *   reservation plus the free balance pay for; the rest EXPIRES.
 * - **Our orders never meet each other.** They trade against a synthetic market whose price moves
 *   through `onPrice(symbol, point)` / `onCandle(symbol, candle)`. A "house" ledger is the
 *   counterparty of every fill and every deposit, so `totals()` proves conservation: for each
 *   asset, accounts + house + fees collected = 0, whatever happened.
 * - **Taking liquidity** (MARKET, a marketable LIMIT, a triggered stop) fills against a synthetic
 *   book around the reference price (the last price when placing; the trigger level or the new
 *   price when a stop triggers), shaped by `config.book` (`spreadTicks`, `levels`,
 *   `levelStepTicks`, `levelQty`; default: zero spread, unlimited depth → one fill at the reference
 *   price). A thin book gives several fills at worsening prices and, for MARKET, an EXPIRED
 *   remainder (`expiryReason: 'INSUFFICIENT_LIQUIDITY'`). FOK fills all or expires, IOC expires the
 *   rest, GTC rests the rest. LIMIT_MAKER that would take is rejected (-2010).
 * - **Resting limit orders** fill at their own price (maker) when the market trades at or through
 *   it (touch fills): BUY when price ≤ limit, SELL when price ≥ limit. With
 *   `config.participation` set (e.g. '0.25'), the orders crossed at one price point share at most
 *   participation × point.qty (price priority, then time), so thin candles give PARTIALLY_FILLED
 *   orders that continue filling at later points still at or through their price. A point with
 *   qty null is unlimited (a manual price move); qty '0' fills nothing.
 * - **Stops**: STOP_LOSS SELL / TAKE_PROFIT BUY trigger when price ≤ stopPrice; STOP_LOSS BUY /
 *   TAKE_PROFIT SELL when price ≥ stopPrice. A stop whose condition already holds is rejected
 *   (-2010 "Order would trigger immediately."). Triggered at a `sweep` point (continuous move inside
 *   a candle) it executes at its stop price; at a jump (candle open, live tick) at the new price
 *   (gap slippage). *_LIMIT stops then become limit orders at `price` (GTC rests, IOC/FOK expire).
 *   **trailingDelta** (bips) follows Binance's trailing-stop FAQ: tracking starts at placement
 *   (no stopPrice) or once the stop condition is met; SELL triggers on a fall of delta from the
 *   highest price seen, BUY on a rise from the lowest.
 * - **OCO** (`placeOco`): an above and a below leg (SELL: LIMIT_MAKER/TAKE_PROFIT* above,
 *   STOP_LOSS* below; BUY mirrored), prices must straddle the last price. When a leg fills or
 *   triggers, the other EXPIRES; cancelling one leg cancels the list. listStatus events follow.
 * - **Fees**: `makerFee` / `takerFee` (default 0.1 %), charged in the received asset (BUY: base,
 *   SELL: quote), rounded up to `commissionPrecision` (8) decimals.
 * - **Client order ids**: `^[a-zA-Z0-9-_]{1,36}$` (else -1100; '' gives -1118), unique among the
 *   account's OPEN orders only (-2010 "Duplicate order sent."). The id of a filled, cancelled or
 *   expired order can be used again — Binance does the same, which is the hazard bots must handle.
 *   Lookups by client id return the open order with it, else the latest order that used it.
 * - **Validation** (validate.ts), Binance's codes and messages (errors.ts): -1102/-1106/-1114 for
 *   parameter combinations, -1111 for too many decimals (base/quote asset precision), -1013
 *   "Filter failure: PRICE_FILTER | LOT_SIZE | MARKET_LOT_SIZE | NOTIONAL | MAX_NUM_ORDERS |
 *   TRAILING_DELTA", -2010 insufficient balance / market closed, -2013 / -2011 unknown order.
 * - **Ids**: orderId, orderListId and the execution id are global counters starting at 1; tradeId
 *   counts per symbol. All stay far below 2^53.
 *
 * ## The price path of a candle (path.ts) — what makes backtest and paper fills identical
 * `candlePricePath(candle)` → 4 points: open → nearer extreme → farther extreme → close (low first
 * when it is strictly closer to the open than the high; ties go high first). Each point carries
 * volume / 4; the open is a jump, the rest are sweeps. `venue.onCandle(symbol, candle)` plays that
 * path; the paper exchange replaying a kline file calls the same function.
 *
 * ## Speed (bench/exchange.ts measures it)
 * With no open order on the symbol, `onCandle`/`onPrice` only store the price and return a shared
 * empty array: no allocation, no decimal arithmetic (the backtester's hot path, tens of millions
 * of candles/s; about a million/s with a couple of resting orders). With open orders,
 * prices are compared as JS numbers when both sides have ≤ 15 significant digits (exact, see
 * numbers.ts), with decimal.js otherwise; amounts are always computed with decimal.js.
 *
 * ## Files
 * venue.ts (class Venue: the facade), ledger.ts (balances, reservations, house, fees),
 * order-index.ts (orders, lists, fills by id / client id / account; id counters), matching.ts
 * (new orders against the book, price points against resting orders), execution.ts (fills,
 * final statuses, list ends, events), lists.ts (OCO placement, sibling expiry, list cancels),
 * snapshot.ts (persistence), book.ts (synthetic book, taker plans), path.ts (candle price path),
 * validate.ts / errors.ts (parameters, filters, Binance errors), oco.ts (order-list leg rules),
 * state.ts (internal records and views), context.ts (one call's events), numbers.ts (fast
 * comparisons), symbols.ts (default symbols), convert.ts (to core/orders shapes), types.ts.
 *
 * ## API (class Venue)
 * ```ts
 * const venue = new Venue({ symbols: DEFAULT_SYMBOLS, makerFee: '0.001', takerFee: '0.001',
 *                           book: { spreadTicks: 0, levelQty: null }, participation: null });
 * venue.addAccount('acct', { USDT: '10000' }, now);          // events (balanceUpdate + account)
 * venue.setLastPrice('BTCUSDT', '30000');                   // initial price, no matching
 * const r = venue.placeOrder({ accountId: 'acct', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT',
 *   timeInForce: 'GTC', quantity: '0.01', price: '29000', newClientOrderId: 'bot-1', time: now });
 * if (!r.ok) r.code, r.msg;  else r.order, r.fills, r.events;
 * venue.onCandle('BTCUSDT', candle);                          // → VenueEvent[] (fills etc.)
 * venue.onPrice('BTCUSDT', { price: '28990', time, qty: null, sweep: false });
 * venue.getOrder('acct', 'BTCUSDT', { origClientOrderId: 'bot-1' });   // or { orderId }
 * venue.cancelOrder({ accountId, symbol, origClientOrderId: 'bot-1', time });
 * venue.cancelOpenOrders(accountId, symbol, time);
 * venue.placeOco({ accountId, symbol, side: 'SELL', quantity: '0.01',
 *   above: { type: 'LIMIT_MAKER', price: '32000' }, below: { type: 'STOP_LOSS', stopPrice: '28000' }, time });
 * venue.getOrderList / cancelOrderList / orderLists;  venue.openOrders / allOrders / trades;
 * venue.balances(acct); venue.balance(acct, 'BTC'); venue.totals(); venue.allFills();
 * venue.testOrder(req)      // validation only (parameters, precision, filters, client id)
 * venue.snapshot() → JSON;  new Venue(config, snapshot) restores it.
 * ```
 * Results are `{ ok: true, ... } | { ok: false, code, msg }` (Binance codes); nothing throws for
 * bad input. Events (`VenueEvent`): `order` (executionReport: NEW / TRADE / CANCELED / EXPIRED
 * with the order after the execution and the fill), `account` (changed assets with their balances
 * after the change, plus the `BalanceChange` ledger entries), `deposit` (balanceUpdate), `list`
 * (listStatus). `toOrderSnapshot` / `toFill` convert to the bot's `core/orders` shapes.
 */
export { Venue, type VenueSnapshot } from './venue';
export { candlePricePath, lowFirst, type PathCandle } from './path';
export { DEFAULT_SYMBOLS, venueSymbol } from './symbols';
export { fastNumber, comparePrices } from './numbers';
export { validateOrder, isStopType, hasLimitPrice, type OrderSpec, type OrderParams } from './validate';
export { Errors, CLIENT_ID_RANGE, CLIENT_ID_REGEX } from './errors';
export { toFill, toOrderSnapshot } from './convert';
export { levelQuantity, levelPrice, unlimitedBook, lotStep } from './book';
export { OCO_LEG_TYPES } from './types';
export type * from './types';
