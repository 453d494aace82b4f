/**
 * The futures user-data stream, Binance's listenKey flow (still the USDⓈ-M way): POST
 * /fapi/v1/listenKey creates a key (or returns the account's valid one, extended), PUT extends it
 * by 60 minutes (-1125 when there is none), DELETE ends it. `ws://…/fstream/<listenKey>` (also
 * under `/fstream/ws/`, `/fstream/private/ws/`) streams the account's events as raw JSON. An
 * expired key sends `listenKeyExpired` and closes its connections. User-stream faults (drop,
 * duplicate, delay, reorder) apply as on the spot side.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Json } from '../../core/json';
import { err } from '../http/params';
import { sendIfOpen } from '../ws/limits';
import type { UserEventFaults } from '../ws/user-streams';

export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;

interface KeyRec {
  readonly accountId: string;
  expiresAt: number;
}

export class FuturesUserStreams {
  private readonly keys = new Map<string, KeyRec>();
  private readonly conns = new Map<WebSocket, string>();
  paused = false;
  private readonly held: Array<() => void> = [];
  eventsSent = 0;

  constructor(
    private readonly now: () => number,
    private readonly faults: UserEventFaults,
  ) {}

  private keyOf(accountId: string): string | undefined {
    for (const [k, r] of this.keys) if (r.accountId === accountId && r.expiresAt > this.now()) return k;
    return undefined;
  }

  /** POST /fapi/v1/listenKey. */
  create(accountId: string): string {
    const existing = this.keyOf(accountId);
    const key = existing ?? randomBytes(32).toString('hex');
    this.keys.set(key, { accountId, expiresAt: this.now() + LISTEN_KEY_VALIDITY_MS });
    return key;
  }

  /** PUT /fapi/v1/listenKey (the key is optional, as on Binance: the account's key is extended). */
  keepAlive(accountId: string, key: string | undefined): string {
    const k = key ?? this.keyOf(accountId);
    const rec = k !== undefined ? this.keys.get(k) : undefined;
    if (!rec || rec.accountId !== accountId || rec.expiresAt <= this.now())
      throw err(-1125, 'This listenKey does not exist.');
    rec.expiresAt = this.now() + LISTEN_KEY_VALIDITY_MS;
    return k as string;
  }

  /** DELETE /fapi/v1/listenKey: the key ends and its connections close. */
  close(accountId: string, key: string | undefined): void {
    const k = key ?? this.keyOf(accountId);
    const rec = k !== undefined ? this.keys.get(k) : undefined;
    if (!rec || rec.accountId !== accountId) return;
    this.keys.delete(k as string);
    for (const [ws, ck] of this.conns) if (ck === k) ws.close(1000, 'listenKey closed');
  }

  isValid(key: string): boolean {
    const r = this.keys.get(key);
    return r !== undefined && r.expiresAt > this.now();
  }

  attach(ws: WebSocket, key: string): void {
    this.conns.set(ws, key);
    ws.on('close', () => this.conns.delete(ws));
    ws.on('message', () => undefined);
  }

  /** Expire keys past their validity: `listenKeyExpired`, then the connections close. */
  expire(): void {
    const t = this.now();
    for (const [k, r] of this.keys) {
      if (r.expiresAt > t) continue;
      this.keys.delete(k);
      for (const [ws, ck] of this.conns) {
        if (ck !== k) continue;
        sendIfOpen(ws, JSON.stringify({ e: 'listenKeyExpired', E: t, listenKey: k }));
        ws.close(1000, 'listenKey expired');
      }
    }
  }

  /** Force-expire an account's keys now (tests of the reconnect path). */
  expireNow(accountId: string): void {
    for (const r of this.keys.values()) if (r.accountId === accountId) r.expiresAt = this.now();
    this.expire();
  }

  hasSubscriber(accountId: string): boolean {
    for (const k of this.conns.values()) if (this.keys.get(k)?.accountId === accountId) return true;
    return false;
  }

  /** Close every connection (fault: cut the user streams). */
  cutAll(): number {
    const n = this.conns.size;
    for (const ws of this.conns.keys()) ws.terminate();
    return n;
  }

  deliver(accountId: string, event: Record<string, Json>): void {
    for (const [ws, k] of this.conns) {
      if (this.keys.get(k)?.accountId !== accountId) continue;
      this.faults.routeUserEvent(accountId, event, (e) => this.send(ws, e));
    }
  }

  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }

  private send(ws: WebSocket, event: Record<string, Json>): void {
    const go = () => {
      if (this.conns.has(ws) && sendIfOpen(ws, JSON.stringify(event))) this.eventsSent++;
    };
    if (this.paused) {
      if (this.held.length < 100_000) this.held.push(go);
      return;
    }
    go();
  }
}
