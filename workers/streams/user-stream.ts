/**
 * The user data stream of one account through the WebSocket API subscription Binance uses today
 * (`userDataStream.subscribe.signature`; listenKeys are retired). Reports every (re)subscription,
 * so the bots of the account reconcile what they may have missed.
 */
import { createHmac } from 'node:crypto';
import type { OrderSnapshot } from '../../core/orders';
import { str } from '../../core/decimal';
import { toStatus } from '../../activities/mapping';
import { ReconnectingSocket } from './reconnecting-socket';

export interface UserStreamHandlers {
  onOrder(snapshot: OrderSnapshot): void;
  /** Called on every confirmed subscription after the first one. */
  onResubscribed(): void;
  onSubscribed?(): void;
  onError?(message: string): void;
}

interface ExecutionReport {
  e: 'executionReport';
  s: string;
  c: string;
  C: string;
  x: string;
  X: string;
  r: string;
  i: number;
  l: string;
  z: string;
  L: string;
  n: string;
  N: string | null;
  T: number;
  t: number;
  m: boolean;
  Z: string;
  Y: string;
}

/** An executionReport as an order snapshot. On cancel reports `c` is the cancel's id and `C` the order's. */
export function snapshotFromExecutionReport(e: ExecutionReport): OrderSnapshot {
  const isTrade = e.x === 'TRADE' && Number(e.t) >= 0;
  return {
    clientOrderId: e.C ? e.C : e.c,
    symbol: e.s,
    exchangeOrderId: Number(e.i),
    status: toStatus(e.X),
    executedQty: str(e.z),
    cumulativeQuoteQty: str(e.Z),
    updateTime: Number(e.T),
    ...(isTrade
      ? {
          fills: [
            {
              tradeId: Number(e.t),
              price: str(e.L),
              qty: str(e.l),
              quoteQty: str(e.Y),
              commission: str(e.n),
              commissionAsset: e.N ?? '',
              time: Number(e.T),
              isMaker: Boolean(e.m),
            },
          ],
        }
      : {}),
    ...(e.r && e.r !== 'NONE' ? { reason: e.r } : {}),
  };
}

/** The stream's health for monitoring: subscribed, or down since when (null once subscribed). */
export interface UserStreamStatus {
  readonly subscribed: boolean;
  readonly downSince: number | null;
  readonly subscriptions: number;
}

export class UserStream {
  private readonly socket: ReconnectingSocket;
  private subscriptions = 0;
  private requestId = 0;
  private subscribed = false;
  private downSince: number | null = Date.now();

  constructor(wsApi: string, apiKey: string, apiSecret: string, handlers: UserStreamHandlers, staleAfterMs = 60_000) {
    this.socket = new ReconnectingSocket(
      wsApi,
      {
        onOpen: (socket) => {
          const timestamp = Date.now();
          const signature = createHmac('sha256', apiSecret)
            .update(`apiKey=${apiKey}&timestamp=${timestamp}`)
            .digest('hex');
          socket.send(
            JSON.stringify({
              id: `sub-${++this.requestId}`,
              method: 'userDataStream.subscribe.signature',
              params: { apiKey, timestamp, signature },
            }),
          );
        },
        onMessage: (data) => {
          const msg = data as {
            id?: string;
            status?: number;
            error?: { code: number; msg: string };
            event?: { e?: string };
          };
          if (msg.id !== undefined) {
            if (msg.status === 200 && String(msg.id).startsWith('sub-')) {
              this.subscriptions += 1;
              this.subscribed = true;
              this.downSince = null;
              handlers.onSubscribed?.();
              if (this.subscriptions > 1) handlers.onResubscribed();
            } else if (msg.error) handlers.onError?.(`subscription refused (${msg.error.code}): ${msg.error.msg}`);
            return;
          }
          const event = msg.event;
          if (event?.e === 'executionReport') {
            try {
              handlers.onOrder(snapshotFromExecutionReport(event as unknown as ExecutionReport));
            } catch (err) {
              handlers.onError?.(`bad executionReport: ${(err as Error).message}`);
            }
          }
        },
        onClose: (reason) => {
          this.subscribed = false;
          this.downSince ??= Date.now();
          handlers.onError?.(`user stream ${reason}`);
        },
      },
      { staleAfterMs },
    );
  }

  status(): UserStreamStatus {
    return { subscribed: this.subscribed, downSince: this.downSince, subscriptions: this.subscriptions };
  }

  close(): void {
    this.socket.close();
  }
}
