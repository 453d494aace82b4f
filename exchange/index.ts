/**
 * # Paper exchange — a Binance-compatible spot exchange on 127.0.0.1, with fault injection
 *
 * binance-api-node@0.13.10 talks to it unchanged:
 * ```ts
 * const ex = await startPaperExchange({ port: 0, prices: { kind: 'manual' },
 *   accounts: [{ apiKey: 'k', apiSecret: 's', balances: { USDT: '10000' } }] });
 * const client = Binance({ apiKey: 'k', apiSecret: 's', httpBase: ex.httpBase, wsBase: ex.wsBase, wsApi: ex.wsApi });
 * ex.market.setPrice('BTCUSDT', '30000.5');    // trade at a price now (matches resting orders, streams)
 * ex.market.closeCandle('BTCUSDT', '1m');      // emit the closed kline (k.x = true), open the next
 * ex.faults.add({ kind: 'lose-response', match: { clientOrderId: '^bot1-' }, count: 2 });
 * ex.audit.duplicates();  ex.audit.check(ex.venue);   // [] when nothing doubled and nothing was lost
 * await ex.close();
 * ```
 *
 * ## Options (`PaperExchangeOptions`, server.ts)
 * port (0 = free port; host is always 127.0.0.1) · stateFile (atomic saves, reloaded on start;
 * account balances given in options apply only when the account is first created) · accounts
 * (default: `paper-api-key` / `paper-api-secret`, 10,000 USDT) · symbols (default BTCUSDT, ETHUSDT,
 * BNBUSDT with Binance-like filters) · prices: `{kind:'random-walk', seed, tickMs, volatility,
 * startPrices, history}` (default seed 42, 1 s ticks, 500 warm-up candles per interval; candles
 * close on wall-clock boundaries) | `{kind:'replay', file, symbol, interval, candleMs, manual, loop}`
 * (Binance kline file, JSON or CSV; each candle plays venue's price path; order, fill and
 * event times follow the replayed data, as in the backtester) | `{kind:'manual'}`
 * | `{kind:'mirror'}` (Binance public trades; needs a network) · backendTimeoutMs (10 s) · fees
 * (maker/taker, 0.1 %) · book (the order book taker orders fill against and the streams show;
 * REALISTIC_BOOK by default, ZERO_SPREAD_BOOK for bid = ask = last) · participation (partial
 * fills) · rateLimits (Binance's by default, `false` to disable) · admin (off by default;
 * `{enabled, tokenFile}`: admin/guard.ts) · updateSpeedMs (100 / 1000 ms pushes) · clock ·
 * pingIntervalMs/pongTimeoutMs · historyLimit · tapeSize (public trades kept, 10,000) · saveDebounceMs · log.
 *
 * ## In-process API (`PaperExchange`)
 * - `httpBase`, `wsBase`, `wsApi`, `port`; `venue` (venue, read it for balances and orders).
 * - `market.setPrice(symbol, price, {qty?, time?})`, `market.closeCandle(symbol, interval)`,
 *   `market.price(symbol)`, `market.replayNext()`, `market.klines(symbol, interval, opts)`.
 * - `accounts.add({apiKey, apiSecret, balances, name})`, `accounts.deposit(apiKey, asset, amount)`
 *   (a balanceUpdate event), `accounts.accountId(apiKey)`, `accounts.list()`.
 * - `faults` (faults.ts): `add(rule) → id`, `remove(id)`, `clear()`, `list()`,
 *   `cutConnections('market'|'user'|'all')`, `serverShutdown()`, `freeze(ms?)`, `unfreeze()`,
 *   `firings`.
 *   Rule kinds: lose-response, reset-after-execute, reset-before-execute, unknown-while-executing
 *   (-1007, optionally executing late), fail-before-executing (502 HTML or JSON -1001), delay
 *   (before: recvWindow re-checked; or after), rate-limit (429 / 418 + Retry-After), hide-order,
 *   user-drop, user-duplicate, user-reorder, user-delay, market-drop. Matched on endpoint
 *   (default: order placement), client-id regex, symbol, account, event type, stream; `count`
 *   times (default 1, -1 = until removed).
 * - `audit` (audit.ts): `requests({clientOrderId?})`, `clientId(cid)` → {submitted, executed,
 *   orderIds}, `clientIds()`, `duplicates()`, `fills()`, `balanceChanges()`, `summary()`,
 *   `check(venue)` → problems (balances vs recorded changes, conservation, duplicate trades,
 *   client ids executed twice).
 * - `stats()`, `save()`, `close()`.
 *
 * ## Wire
 * - REST: ping, time, exchangeInfo, klines/uiKlines (1s … 1w), ticker/price, ticker/bookTicker,
 *   ticker/24hr (FULL/MINI), avgPrice, depth (≤ 5000), trades, historicalTrades, aggTrades,
 *   account, account/commission, order (POST/GET/DELETE), order/test, order/cancelReplace,
 *   openOrders (GET/DELETE), allOrders, myTrades, order/oco (deprecated), orderList/oco, orderList
 *   (GET/DELETE), openOrderList, allOrderList; /sapi/v1/system/status, /sapi/v1/asset/tradeFee
 *   (routes/). Signed endpoints check X-MBX-APIKEY, the HMAC-SHA256
 *   signature over the raw query string + body, timestamp/recvWindow; unread parameters give
 *   -1104; weights and order counts are reported in X-MBX-USED-WEIGHT-1M / X-MBX-ORDER-COUNT-10S /
 *   -1D; 429/418 with Retry-After; errors are `{code,msg}`.
 * - Streams: `/ws/<stream>[/<stream>…]` and `/stream?streams=` with `<sym>@kline_<i>`,
 *   `<sym>@trade`, `<sym>@aggTrade`, `<sym>@bookTicker`, `<sym>@depth[@100ms]` (diff: U/u, zero
 *   sizes), `<sym>@depth5|10|20[@100ms]`, `<sym>@ticker`, `<sym>@miniTicker`, `!ticker@arr`,
 *   `!miniTicker@arr`; SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY;
 *   1024 streams and 5 messages/s per connection, 64 KiB frames; pings every 20 s, dropped after
 *   60 s without pong (ws/, market/).
 * - `/ws-api/v3`: the user-data subscription (`userDataStream.subscribe.signature` → executionReport,
 *   outboundAccountPosition, balanceUpdate, listStatus as `{subscriptionId, event}`) and the REST
 *   twins `order.place`, `order.status`, `order.cancel`, `openOrders.status`, `account.status`,
 *   `klines`, `depth`, `time`, `ping`, … (ws/api-methods.ts).
 * - Admin HTTP endpoints mirroring the in-process API, off unless enabled, behind a token:
 *   admin/.
 * - `npm run exchange` runs it as its own process (main.ts).
 *
 * Matching, fees, filters and the candle price path come from `venue`, shared with the
 * backtester.
 *
 * ## USDⓈ-M futures (futures/, routes/futures/; docs/venues.md)
 * The same host serves Binance's futures API: `Binance({ …, httpFutures: ex.httpBase, wsFutures:
 * ex.futures.wsFutures })` — /fapi/v1 market data, orders, the algo endpoint of conditional
 * orders, positionRisk, account, balance, leverage, marginType, positionSide/dual (one-way only),
 * the listenKey user stream under `/fstream`. Accounts get a futures wallet from
 * `futuresBalances`; `ex.futures` pins the mark price, sets funding rates, audits. The engine is
 * venue/perpetual, the backtester's perpetual.
 */
export {
  startPaperExchange,
  type PaperExchange,
  type PaperExchangeOptions,
  type MarketControl,
  type AccountControl,
} from './server';
export type { FaultRule, FaultKind, FaultMatch } from './faults';
export { FAULT_KINDS } from './faults';
export type { AuditSummary, ClientIdStats, RequestRecord } from './audit';
export type { AccountOptions } from './accounts';
export { DEFAULT_ACCOUNT } from './accounts';
export type { PriceSourceOptions } from './market/sources';
export { parseKlineFile } from './market/sources';
export { REALISTIC_BOOK, ZERO_SPREAD_BOOK } from './market/book-config';
export type { AdminOptions, AdminAccess } from './admin/guard';
