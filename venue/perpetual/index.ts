/**
 * # The simulated USDⓈ-M perpetual — one implementation for the paper exchange and the backtester
 *
 * A linear, USDT-margined perpetual in one-way mode (`positionSide` BOTH; hedge mode is refused),
 * cross or isolated margin per symbol, leverage 1 … the symbol's first bracket (Binance's
 * notional and leverage brackets cap the position per leverage), mark price (the contract price
 * unless pinned), unrealised PnL, initial and maintenance margin, Binance's liquidation price,
 * liquidation at the mark when the margin balance reaches the maintenance margin, MARGIN_CALL,
 * funding every 8 h (settable) at the funding rate on the mark, maker / taker fees, reduce-only,
 * close-position, and the conditional orders of Binance's Algo Service (STOP / STOP_MARKET,
 * TAKE_PROFIT / TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET) triggered on the contract or the mark
 * price. Client order ids are unique among OPEN orders only (-4116): a resent MARKET order that
 * already filled opens a second position, exactly as on Binance.
 *
 * ```ts
 * const perp = new Perpetual({ symbols: DEFAULT_PERP_SYMBOLS });
 * perp.addAccount('a', { USDT: '1000' }, now);
 * perp.setLastPrice('BTCUSDT', '30000');
 * perp.setLeverage('a', 'BTCUSDT', 10, now);
 * const r = perp.placeOrder({ accountId: 'a', symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.01', newClientOrderId: 'bot-1', time: now });
 * perp.placeAlgo({ accountId: 'a', symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', triggerPrice: '31000', closePosition: true, clientAlgoId: 'bot-1-sl', time: now });
 * perp.onCandle('BTCUSDT', candle);      // → PerpEvent[]: fills, triggers, funding, liquidation
 * perp.positions('a', 'BTCUSDT'); perp.account('a'); perp.incomes('a');
 * ```
 * Results are `{ ok: true, … } | { ok: false, code, msg }` with Binance's futures codes; nothing
 * throws for bad input. Events (`PerpEvent`): order (ORDER_TRADE_UPDATE), algo (ALGO_UPDATE),
 * triggerReject (CONDITIONAL_ORDER_TRIGGER_REJECT), account (ACCOUNT_UPDATE), marginCall
 * (MARGIN_CALL), config (ACCOUNT_CONFIG_UPDATE).
 *
 * Files: perpetual.ts (facade), ledger.ts (wallets, positions, incomes), views.ts (margins,
 * liquidation price, account and position views), matching.ts (regular orders), algo.ts
 * (conditional orders), execution.ts (fills, final statuses), risk.ts (funding, margin call,
 * liquidation), margin.ts / fees.ts / funding.ts (the formulas), validate.ts / errors.ts,
 * symbols.ts (default contracts), state.ts (records), snapshot.ts, types.ts.
 */
export { Perpetual, type PerpSnapshot } from './perpetual';
export { DEFAULT_PERP_SYMBOLS, BTCUSDT_BRACKETS, bookSymbol, leverageBrackets, perpSymbol } from './symbols';
export { PerpErrors, PERP_CLIENT_ID_RANGE, PERP_CLIENT_ID_REGEX } from './errors';
export { commission, DEFAULT_MAKER_FEE, DEFAULT_TAKER_FEE } from './fees';
export { fundingPayment, nextFundingTime, EIGHT_HOURS_MS, DEFAULT_FUNDING_RATE } from './funding';
export {
  bracketFor,
  breakEvenPrice,
  initialMargin,
  liquidationPrice,
  maintenanceMargin,
  maxLeverage,
  maxNotional,
  orderCost,
  unrealizedPnl,
} from './margin';
export { ALGO_ORDER_TYPES, PERP_TIME_IN_FORCE } from './types';
export type * from './types';
