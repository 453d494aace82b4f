/**
 * Mirror Binance's public trades into the paper market (paper trading on real prices). Needs a
 * network, so it is not exercised by the tests; kept deliberately small. Reconnects after 5 s.
 */
import WebSocket from 'ws';
import type { Market } from './market';
import type { PriceSource } from './sources';
import { wsText } from '../../infra/ws-text';

export function mirrorSource(
  market: Market,
  opts: { symbols: readonly string[]; isFrozen: () => boolean; url?: string },
): PriceSource {
  const streams = opts.symbols.map((s) => `${s.toLowerCase()}@trade`).join('/');
  const url = `${opts.url ?? 'wss://stream.binance.com:9443'}/stream?streams=${streams}`;
  let ws: WebSocket | undefined;
  let stopped = false;
  const connect = () => {
    if (stopped) return;
    ws = new WebSocket(url);
    ws.on('message', (data) => {
      if (opts.isFrozen()) return;
      const msg = JSON.parse(wsText(data)) as {
        data?: { s?: string; p?: string; q?: string; T?: number; m?: boolean };
      };
      const t = msg.data;
      if (!t?.s || !t.p || !market.has(t.s)) return;
      market.trade(t.s, t.p, t.q ?? null, t.T ?? Date.now(), { buyerIsTaker: t.m === false });
    });
    ws.on('close', () => setTimeout(connect, 5000).unref());
    ws.on('error', () => ws?.terminate());
  };
  let boundary: NodeJS.Timeout | undefined;
  return {
    start() {
      connect();
      boundary = setInterval(() => market.advanceAll(Date.now()), 1000);
      boundary.unref();
    },
    stop() {
      stopped = true;
      if (boundary) clearInterval(boundary);
      ws?.terminate();
    },
  };
}
