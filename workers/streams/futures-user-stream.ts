/**
 * The USDⓈ-M user-data stream of one account, Binance's listenKey flow: the key is asked for with
 * binance-api-node's `futuresGetDataStream` (POST /fapi/v1/listenKey, through the account's
 * `httpFutures` like every futures activity), kept alive with `futuresKeepDataStream` (PUT), and
 * the socket opened at `<wsFutures>/<listenKey>`.
 *
 * Why not the library's `ws.futuresUser`: its WebSocket endpoints are module-level (the last
 * `Binance({ wsFutures })` in the process wins, wrong for a worker serving accounts on different
 * hosts), it retries only every 30 s, and it reports neither reconnects nor silence; bots need a
 * reconnect to reconcile what the stream did not replay. So the key handling is the library's and
 * the socket is ./reconnecting-socket.ts (backoff, staleness watchdog), as on the spot side.
 *
 * Every connect asks for the key again: Binance returns the account's valid key (extending it) or
 * a new one after it expired, so a reconnect after `listenKeyExpired`, a failed keep-alive (-1125)
 * or a long outage lands on a live key.
 */
import type { ExchangeAccount } from '../../activities/exchange-account';
import { type FuturesUserEvent, parseFuturesUserEvent } from './futures-user-events';
import { ReconnectingSocket } from './reconnecting-socket';
import type { UserStreamStatus } from './user-stream';

interface ListenKeyRest {
  futuresGetDataStream(): Promise<{ listenKey: string }>;
  futuresKeepDataStream(p: { listenKey: string }): Promise<unknown>;
}

export interface FuturesUserStreamHandlers {
  onEvent(event: FuturesUserEvent): void;
  /** Every open of the socket (the first one too: this worker may replace one that died). */
  onSubscribed(opens: number): void;
  onError?(message: string): void;
}

export interface FuturesUserStreamOptions {
  /** Reconnect after this much silence (the server pings every few minutes; default 5 min). */
  readonly staleAfterMs?: number;
  /** Keep-alive period (Binance: keys live 60 min; the library renews every 50 s; default 30 min). */
  readonly keepAliveMs?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class FuturesUserStream {
  private readonly socket: ReconnectingSocket;
  private readonly keepAlive: NodeJS.Timeout;
  private listenKey: string | null = null;
  private subscriptions = 0;
  private subscribed = false;
  private downSince: number | null = Date.now();
  private closed = false;

  constructor(
    account: ExchangeAccount,
    /** `<wsFutures>` without a trailing slash: ws://127.0.0.1:port/fstream, wss://fstream.binance.com/private/ws. */
    base: string,
    handlers: FuturesUserStreamHandlers,
    options: FuturesUserStreamOptions = {},
  ) {
    const rest = () => account.rest as unknown as ListenKeyRest;
    this.socket = new ReconnectingSocket(
      base,
      {
        onOpen: (_socket, opens) => {
          this.subscriptions = opens;
          this.subscribed = true;
          this.downSince = null;
          handlers.onSubscribed(opens);
        },
        onMessage: (data) => {
          let event: FuturesUserEvent;
          try {
            event = parseFuturesUserEvent(data as Record<string, unknown>);
          } catch (err) {
            handlers.onError?.(`bad futures user event: ${(err as Error).message}`);
            return;
          }
          if (event.kind === 'listenKeyExpired') {
            handlers.onError?.('listenKey expired: reconnecting with a new one');
            this.listenKey = null;
            this.socket.restart();
            return;
          }
          handlers.onEvent(event);
        },
        onClose: (reason) => {
          this.subscribed = false;
          this.downSince ??= Date.now();
          handlers.onError?.(`futures user stream ${reason}`);
        },
      },
      {
        staleAfterMs: options.staleAfterMs ?? 5 * 60_000,
        minBackoffMs: options.minBackoffMs ?? 250,
        maxBackoffMs: options.maxBackoffMs ?? 30_000,
        resolveUrl: async () => {
          const { listenKey } = await account.call('futuresListenKey', 1, () => rest().futuresGetDataStream());
          if (typeof listenKey !== 'string' || listenKey === '') throw new Error('no listenKey in the answer');
          this.listenKey = listenKey;
          return `${base.replace(/\/+$/, '')}/${listenKey}`;
        },
      },
    );
    this.keepAlive = setInterval(
      () => {
        const key = this.listenKey;
        if (key === null || this.closed) return;
        account
          .call('futuresListenKeyKeepAlive', 1, () => rest().futuresKeepDataStream({ listenKey: key }))
          .catch((err: unknown) => {
            // -1125: the key is gone; anything else may be too. A new connect asks for a live key.
            handlers.onError?.(`listenKey keep-alive failed (${(err as Error).message}): reconnecting`);
            if (this.listenKey === key) this.listenKey = null;
            this.socket.restart();
          });
      },
      options.keepAliveMs ?? 30 * 60_000,
    );
    this.keepAlive.unref();
  }

  status(): UserStreamStatus {
    return { subscribed: this.subscribed, downSince: this.downSince, subscriptions: this.subscriptions };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    this.socket.close();
    // The key is not deleted: Binance hands every caller of an account the same key, so a DELETE
    // would cut another worker's stream of that account. Unused, it expires within the hour.
    this.listenKey = null;
  }
}
