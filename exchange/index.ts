/**
 * # Paper exchange — a Binance-compatible spot exchange on 127.0.0.1, with fault injection
 *
 * binance-api-node@0.13.10 talks to it unchanged:
 * ```ts
 * const ex = await startPaperExchange({ port: 0, prices: { kind: 'manual' },
 *   accounts: [{ apiKey: 'k', apiSecret: 's', balances: { USDT: '10000' } }] });
 * const client = Binance({ apiKey: 'k', apiSecret: 's', httpBase: ex.httpBase, wsBase: ex.wsBase, wsApi: ex.wsApi });
 * ex.market.setPrice('BTCUSDT', '30000.5');    // manual mode: trade at a price (matches resting orders)
 * ex.market.closeCandle('BTCUSDT', '1m');      // emit the closed kline (k.x = true), open the next
 * ex.faults.add({ kind: 'lose-response', match: { clientOrderId: '^bot1-' }, count: 2 });
 * ex.audit.duplicates();  ex.audit.check(ex.venue);   // [] when nothing doubled and nothing was lost
 * await ex.close();
 * ```
 * - Options: see `PaperExchangeOptions` (server.ts): port, stateFile, accounts, symbols, prices
 *   (`random-walk` (default: seed 42, tickMs 1000), `replay` (Binance kline file, JSON or CSV),
 *   `manual`, `mirror`), backendTimeoutMs, fees, book, participation, rateLimits, clock, ping
 *   timings, historyLimit.
 * - REST: ping, time, exchangeInfo, klines/uiKlines, ticker/price, ticker/bookTicker,
 *   ticker/24hr, avgPrice, depth, account, order (POST/GET/DELETE), order/test, order/cancelReplace, openOrders
 *   (GET/DELETE), allOrders, myTrades, order/oco (deprecated), orderList/oco, orderList
 *   (GET/DELETE), openOrderList, allOrderList. Signed endpoints check X-MBX-APIKEY, the HMAC-SHA256
 *   signature over the raw query string + body, timestamp/recvWindow; weights and order counts
 *   are reported in X-MBX-USED-WEIGHT-1M / X-MBX-ORDER-COUNT-10S / -1D; 429/418 with Retry-After.
 * - Streams: `/ws/<stream>` and `/stream?streams=` with `<sym>@kline_<i>` (1s … 1w),
 *   `<sym>@trade`, `<sym>@bookTicker`, `<sym>@depth[5|10|20][@100ms]`; SUBSCRIBE/UNSUBSCRIBE;
 *   pings every 20 s. `/ws-api/v3`: `userDataStream.subscribe.signature` → events
 *   executionReport, outboundAccountPosition, balanceUpdate, listStatus as `{subscriptionId, event}`.
 * - Faults (faults.ts), audit (audit.ts), admin HTTP endpoints (admin.ts), persistence
 *   (persistence.ts: atomic temp + fsync + rename, reloaded on start).
 * - Matching, fees, filters and the candle price path come from `core/venue` (shared with the
 *   backtester).
 */
export { startPaperExchange, type PaperExchange, type PaperExchangeOptions, type MarketControl, type AccountControl } from './server';
export type { FaultRule, FaultKind, FaultMatch } from './faults';
export { FAULT_KINDS } from './faults';
export type { AuditSummary, ClientIdStats, RequestRecord } from './audit';
export type { AccountOptions } from './accounts';
export { DEFAULT_ACCOUNT } from './accounts';
export type { PriceSourceOptions } from './market/sources';
export { parseKlineFile } from './market/sources';
