/**
 * The non-durable baseline of the latency benchmark, in its own process like the worker: the same
 * decisions as the `bench-echo` strategy made by a plain handler. It consumes the same combined
 * market stream (the worker's own MarketStream class on the same URL) and the user data stream of
 * its account (the worker's UserStream class), and places each order straight over REST with the
 * same client and parameters the placement activity uses (ExchangeAccount + orderParams) — no
 * Temporal, no history, no retries, no kernel. What remains between the two is what durability costs.
 *
 * Config: BASELINE_CONFIG (JSON, see BaselineConfig). Prints `ready` once the user stream is
 * subscribed; order failures go to stderr.
 */
import { type AccountConfig, ExchangeAccount } from '../../activities/exchange-account';
import { orderParams } from '../../activities/orders';
import type { CandleInterval } from '../../core/market';
import type { OrderRequest } from '../../core/orders';
import { MarketStream } from '../../workers/streams/market-stream';
import { UserStream } from '../../workers/streams/user-stream';

export interface BaselineConfig {
  readonly account: AccountConfig;
  /** The stream names of the combined connection (the same set the worker's stream service holds). */
  readonly streams: readonly string[];
  readonly candle: { readonly symbol: string; readonly interval: CandleInterval; readonly quantity: string } | null;
  readonly fill: {
    readonly symbol: string;
    readonly buyPrice: string;
    readonly sellPrice: string;
    readonly quantity: string;
  } | null;
  /** Client order ids start with this (the benchmark tells the two paths apart by it). */
  readonly idPrefix: string;
}

const config = JSON.parse(process.env.BASELINE_CONFIG ?? 'null') as BaselineConfig | null;
if (!config) {
  console.error('BASELINE_CONFIG is missing');
  process.exit(2);
}
const account = new ExchangeAccount(config.account);
let seq = 0;
/** Our resting LIMIT orders (fill mode), by client id: a fill of one of these is a decision point. */
const resting = new Map<string, 'BUY' | 'SELL'>();

function place(request: OrderRequest): void {
  const clientOrderId = `${config!.idPrefix}${++seq}`;
  if (request.type === 'LIMIT') resting.set(clientOrderId, request.side);
  account
    .call('order', 1, (r) => r.order(orderParams(request, clientOrderId, config!.account.recvWindowMs)))
    .catch((err: unknown) => {
      console.error(`baseline order ${clientOrderId} failed: ${(err as Error).message}`);
    });
}

let candles = 0;
const market = new MarketStream(config.account.wsBase, {
  onCandle(candle) {
    const c = config.candle;
    if (!c || candle.symbol !== c.symbol || candle.interval !== c.interval) return;
    const side = candles++ % 2 === 0 ? 'BUY' : 'SELL';
    place({ symbol: c.symbol, side, type: 'MARKET', quantity: c.quantity });
  },
});
market.setStreams(config.streams);

const user = new UserStream(config.account.wsApi, config.account.apiKey, config.account.apiSecret, {
  onOrder(snapshot) {
    const f = config.fill;
    const side = resting.get(snapshot.clientOrderId);
    if (!f || side === undefined || snapshot.status !== 'FILLED') return;
    resting.delete(snapshot.clientOrderId);
    const next = side === 'BUY' ? 'SELL' : 'BUY';
    place({
      symbol: f.symbol,
      side: next,
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: f.quantity,
      price: next === 'BUY' ? f.buyPrice : f.sellPrice,
    });
  },
  onSubscribed() {
    const f = config.fill;
    if (f && resting.size === 0)
      place({
        symbol: f.symbol,
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: f.quantity,
        price: f.buyPrice,
      });
    console.log('ready');
  },
  onResubscribed() {},
  onError(message) {
    console.error(`baseline user stream: ${message}`);
  },
});

const stop = () => {
  market.close();
  user.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
