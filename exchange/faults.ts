/**
 * Fault injection, per test: rules matched against requests, user-data events and market
 * messages, plus immediate actions (cut connections, freeze). The same API is reachable over HTTP
 * (admin endpoints) and in process (`ex.faults`).
 *
 * HTTP rules (matched on `METHOD /path` and the request's client ids):
 * - `lose-response`           execute, never answer; the socket is destroyed after `afterMs` (default: held until close)
 * - `reset-after-execute`     execute, then reset the connection (the client sees ECONNRESET)
 * - `reset-before-execute`    reset the connection without executing
 * - `unknown-while-executing` execute (after `executeDelayMs`, default 0) and answer HTTP `status` (503) with
 *                              {"code":-1007,"msg":"Timeout waiting for response from backend server. …"} after
 *                              `afterMs` (default: the exchange's backendTimeoutMs)
 * - `fail-before-executing`   do not execute; answer HTTP `status` (502) with an HTML body, or with `body: 'json'`
 *                              {"code": code ?? -1001, …}
 * - `delay`                   hold the request `ms` before executing (`phase: 'before'`, recvWindow re-checked
 *                              afterwards like Binance) or hold the answer after executing (`phase: 'after'`)
 * - `rate-limit`              answer 429 (-1003) or, with `status: 418`, an IP ban, with Retry-After `retryAfterSec`
 * - `hide-order`              execute normally, but GET /api/v3/order (and openOrders/allOrders) do not see the
 *                              new order for `ms` (Binance's lookups are eventually consistent)
 * User-stream rules (matched on event type `e`, client ids `c`/`C`, account):
 * - `user-drop`, `user-duplicate`, `user-delay` (`ms`), `user-reorder` (hold `count` events, release them in
 *   reverse order; held events are flushed after `flushMs`, default 1000)
 * Market-stream rule: `market-drop` (matched on the stream name).
 *
 * `count` is how many times a rule fires (default 1; -1 = until removed). For user-stream rules it
 * counts deliveries (one per subscription).
 */
import type { Json } from './format';

/** A stream event's field for a log line: text as it is, anything else as JSON. */
const jsonLabel = (v: Json | undefined): string => (typeof v === 'string' ? v : String(JSON.stringify(v)));

export type HttpFaultKind =
  | 'lose-response'
  | 'reset-after-execute'
  | 'reset-before-execute'
  | 'unknown-while-executing'
  | 'fail-before-executing'
  | 'delay'
  | 'rate-limit'
  | 'hide-order';
export type UserFaultKind = 'user-drop' | 'user-duplicate' | 'user-reorder' | 'user-delay';
export type FaultKind = HttpFaultKind | UserFaultKind | 'market-drop';

export const HTTP_FAULT_KINDS: readonly HttpFaultKind[] = [
  'lose-response',
  'reset-after-execute',
  'reset-before-execute',
  'unknown-while-executing',
  'fail-before-executing',
  'delay',
  'rate-limit',
  'hide-order',
];
export const USER_FAULT_KINDS: readonly UserFaultKind[] = ['user-drop', 'user-duplicate', 'user-reorder', 'user-delay'];
export const FAULT_KINDS: readonly FaultKind[] = [...HTTP_FAULT_KINDS, ...USER_FAULT_KINDS, 'market-drop'];

export interface FaultMatch {
  /** 'METHOD /path' or a list of them; '*' for any. Default: the order-placement endpoints. */
  readonly endpoint?: string | readonly string[];
  /** Regular expression (source) tested against the request's or event's client ids. */
  readonly clientOrderId?: string;
  readonly symbol?: string;
  readonly accountId?: string;
  /** User events: the event type (`executionReport`, `outboundAccountPosition`, …). */
  readonly eventType?: string;
  /** Market: regular expression tested against the stream name. */
  readonly stream?: string;
}

export interface FaultRule {
  readonly kind: FaultKind;
  readonly match?: FaultMatch;
  readonly count?: number;
  readonly status?: number;
  readonly body?: 'json' | 'html';
  readonly code?: number;
  readonly afterMs?: number;
  readonly executeDelayMs?: number;
  readonly ms?: number;
  readonly phase?: 'before' | 'after';
  readonly retryAfterSec?: number;
  readonly flushMs?: number;
}

export interface ActiveFault {
  readonly id: number;
  readonly rule: FaultRule;
  remaining: number;
  fired: number;
}

export const PLACEMENT_ENDPOINTS: readonly string[] = [
  'POST /api/v3/order',
  'POST /api/v3/order/oco',
  'POST /api/v3/orderList/oco',
  'POST /fapi/v1/order',
  'POST /fapi/v1/algoOrder',
];

export interface HttpFaultPlan {
  /** What happens to the request/response (one per request). */
  readonly disposition: ActiveFault | null;
  readonly delay: ActiveFault | null;
  readonly hide: ActiveFault | null;
}

export interface FaultFiring {
  readonly time: number;
  readonly faultId: number;
  readonly kind: FaultKind;
  readonly target: string;
}

export class Faults {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;
  private frozenUntil: number | null = null;
  private freezeTimer: NodeJS.Timeout | undefined;
  private readonly thawWaiters: Array<() => void> = [];
  private readonly reorderBuffers = new Map<
    number,
    {
      items: Array<{ event: Record<string, Json>; deliver: (e: Record<string, Json>) => void }>;
      timer: NodeJS.Timeout | undefined;
    }
  >();
  private readonly hiddenOrders = new Map<number, number>();
  readonly firings: FaultFiring[] = [];

  /** Set by the server: actions that reach the sockets. */
  hooks: {
    cut: (which: 'market' | 'user' | 'all') => number;
    shutdown: () => number;
    onFreeze: () => void;
    onThaw: () => void;
  } = { cut: () => 0, shutdown: () => 0, onFreeze: () => {}, onThaw: () => {} };

  constructor(private readonly now: () => number) {}

  add(rule: FaultRule): number {
    if (!FAULT_KINDS.includes(rule.kind))
      throw new Error(`unknown fault kind ${String(rule.kind)}; known: ${FAULT_KINDS.join(', ')}`);
    if (rule.match?.clientOrderId !== undefined) new RegExp(rule.match.clientOrderId); // fail early on a bad pattern
    if (rule.match?.stream !== undefined) new RegExp(rule.match.stream);
    const f: ActiveFault = { id: this.nextId++, rule, remaining: rule.count ?? 1, fired: 0 };
    this.active.push(f);
    return f.id;
  }

  remove(id: number): boolean {
    const i = this.active.findIndex((f) => f.id === id);
    if (i < 0) return false;
    this.active.splice(i, 1);
    return true;
  }

  /** Remove every rule, release held user events, thaw. Hidden orders become visible. */
  clear(): void {
    this.active.splice(0);
    for (const [id] of this.reorderBuffers) this.flushReorder(id);
    this.hiddenOrders.clear();
    this.unfreeze();
  }

  list(): Array<{ id: number; rule: FaultRule; remaining: number; fired: number }> {
    return this.active.map((f) => ({ id: f.id, rule: f.rule, remaining: f.remaining, fired: f.fired }));
  }

  // --- actions ------------------------------------------------------------------------------

  cutConnections(which: 'market' | 'user' | 'all' = 'all'): number {
    this.firings.push({ time: this.now(), faultId: 0, kind: 'market-drop', target: `cut:${which}` });
    return this.hooks.cut(which);
  }

  /** Close every WebSocket politely, `serverShutdown` event first, as Binance does before maintenance. */
  serverShutdown(): number {
    this.firings.push({ time: this.now(), faultId: 0, kind: 'market-drop', target: 'serverShutdown' });
    return this.hooks.shutdown();
  }

  /** Freeze everything: HTTP requests wait, streams stop, prices stop. `ms` omitted = until unfreeze(). */
  freeze(ms?: number): void {
    const wasFrozen = this.isFrozen();
    this.frozenUntil = ms === undefined ? Number.POSITIVE_INFINITY : this.now() + ms;
    if (this.freezeTimer) clearTimeout(this.freezeTimer);
    if (ms !== undefined) {
      this.freezeTimer = setTimeout(() => this.unfreeze(), ms);
      this.freezeTimer.unref?.();
    }
    if (!wasFrozen) this.hooks.onFreeze();
  }

  unfreeze(): void {
    if (this.frozenUntil === null) return;
    this.frozenUntil = null;
    if (this.freezeTimer) clearTimeout(this.freezeTimer);
    this.hooks.onThaw();
    for (const w of this.thawWaiters.splice(0)) w();
  }

  isFrozen(): boolean {
    return this.frozenUntil !== null;
  }

  whenThawed(): Promise<void> {
    if (!this.isFrozen()) return Promise.resolve();
    return new Promise((resolve) => this.thawWaiters.push(resolve));
  }

  // --- HTTP ---------------------------------------------------------------------------------

  /**
   * The faults that hit one request. Rate limits are decided before authentication (Binance limits
   * by IP first): call with `phase: 'pre-auth'` for them, then `'post-auth'` for the rest.
   */
  planHttp(
    endpoint: string,
    clientIds: readonly string[],
    symbol: string | undefined,
    accountId: string | undefined,
    phase: 'pre-auth' | 'post-auth' = 'post-auth',
  ): HttpFaultPlan {
    let disposition: ActiveFault | null = null;
    let delay: ActiveFault | null = null;
    let hide: ActiveFault | null = null;
    for (const f of this.active) {
      if (f.remaining === 0 || !(HTTP_FAULT_KINDS as readonly string[]).includes(f.rule.kind)) continue;
      if ((f.rule.kind === 'rate-limit') !== (phase === 'pre-auth')) continue;
      if (!this.matchesRequest(f.rule.match, endpoint, clientIds, symbol, accountId)) continue;
      if (f.rule.kind === 'delay') delay ??= f;
      else if (f.rule.kind === 'hide-order') hide ??= f;
      else disposition ??= f;
    }
    for (const f of [disposition, delay, hide]) if (f) this.fire(f, `${endpoint} ${clientIds.join(',')}`);
    return { disposition, delay, hide };
  }

  hideOrder(orderId: number, ms: number): void {
    this.hiddenOrders.set(orderId, this.now() + ms);
  }

  isHidden(orderId: number): boolean {
    const until = this.hiddenOrders.get(orderId);
    if (until === undefined) return false;
    if (this.now() >= until) {
      this.hiddenOrders.delete(orderId);
      return false;
    }
    return true;
  }

  // --- user stream ----------------------------------------------------------------------------

  routeUserEvent(accountId: string, event: Record<string, Json>, deliver: (e: Record<string, Json>) => void): void {
    const f = this.active.find(
      (a) =>
        a.remaining !== 0 &&
        (USER_FAULT_KINDS as readonly string[]).includes(a.rule.kind) &&
        this.matchesEvent(a.rule.match, accountId, event),
    );
    if (!f) return deliver(event);
    this.fire(f, `${jsonLabel(event.e)} ${jsonLabel(event.c ?? event.C ?? '')}`);
    switch (f.rule.kind) {
      case 'user-drop':
        return;
      case 'user-duplicate':
        deliver(event);
        deliver(event);
        return;
      case 'user-delay': {
        const t = setTimeout(() => deliver(event), f.rule.ms ?? 1000);
        t.unref?.();
        return;
      }
      case 'user-reorder': {
        let buf = this.reorderBuffers.get(f.id);
        if (!buf) {
          buf = { items: [], timer: undefined };
          this.reorderBuffers.set(f.id, buf);
          buf.timer = setTimeout(() => this.flushReorder(f.id), f.rule.flushMs ?? 1000);
          buf.timer.unref?.();
        }
        buf.items.push({ event, deliver });
        if (f.remaining === 0) this.flushReorder(f.id);
        return;
      }
      default:
        deliver(event);
    }
  }

  private flushReorder(id: number): void {
    const buf = this.reorderBuffers.get(id);
    if (!buf) return;
    this.reorderBuffers.delete(id);
    if (buf.timer) clearTimeout(buf.timer);
    for (const item of buf.items.reverse()) item.deliver(item.event);
  }

  // --- market stream --------------------------------------------------------------------------

  dropMarketMessage(stream: string): boolean {
    if (this.active.length === 0) return false;
    const f = this.active.find(
      (a) =>
        a.remaining !== 0 &&
        a.rule.kind === 'market-drop' &&
        (a.rule.match?.stream === undefined || new RegExp(a.rule.match.stream).test(stream)),
    );
    if (!f) return false;
    this.fire(f, stream);
    return true;
  }

  // --- matching ----------------------------------------------------------------------------------

  private fire(f: ActiveFault, target: string): void {
    if (f.remaining > 0) f.remaining -= 1;
    f.fired += 1;
    this.firings.push({ time: this.now(), faultId: f.id, kind: f.rule.kind, target });
    if (this.firings.length > 100_000) this.firings.splice(0, 10_000);
  }

  private matchesRequest(
    m: FaultMatch | undefined,
    endpoint: string,
    clientIds: readonly string[],
    symbol: string | undefined,
    accountId: string | undefined,
  ): boolean {
    const endpoints =
      m?.endpoint === undefined ? PLACEMENT_ENDPOINTS : typeof m.endpoint === 'string' ? [m.endpoint] : m.endpoint;
    if (!endpoints.includes('*') && !endpoints.includes(endpoint)) return false;
    if (m?.symbol !== undefined && m.symbol !== symbol) return false;
    if (m?.accountId !== undefined && m.accountId !== accountId) return false;
    if (m?.clientOrderId !== undefined) {
      const re = new RegExp(m.clientOrderId);
      if (!clientIds.some((c) => re.test(c))) return false;
    }
    return true;
  }

  private matchesEvent(m: FaultMatch | undefined, accountId: string, event: Record<string, Json>): boolean {
    if (m?.accountId !== undefined && m.accountId !== accountId) return false;
    if (m?.eventType !== undefined && m.eventType !== event.e) return false;
    // Futures events carry the order under `o` (ORDER_TRADE_UPDATE: o.c, ALGO_UPDATE: o.caid).
    const inner = event.o !== null && typeof event.o === 'object' && !Array.isArray(event.o) ? event.o : {};
    if (m?.symbol !== undefined && m.symbol !== (event.s ?? inner.s)) return false;
    if (m?.clientOrderId !== undefined) {
      const re = new RegExp(m.clientOrderId);
      const ids = [event.c, event.C, inner.c, inner.caid].filter((v): v is string => typeof v === 'string' && v !== '');
      if (!ids.some((c) => re.test(c))) return false;
    }
    return true;
  }
}
