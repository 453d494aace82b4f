/**
 * The audit trail tests use to prove "nothing doubled, nothing lost": every order request
 * received (with its client ids and what became of it), per client id how many times it was
 * submitted and how many orders it created, every fill, every balance change.
 */
import { Decimal, d, str } from '../core/decimal';
import type { BalanceChange, FillView, Venue, VenueEvent } from '../venue';

export interface RequestRecord {
  readonly seq: number;
  readonly time: number;
  readonly endpoint: string;
  readonly accountId: string | null;
  readonly symbol: string | null;
  /** newClientOrderId / origClientOrderId / listClientOrderId and leg ids the request carried. */
  readonly clientIds: readonly string[];
  /** 'ok' | 'rejected' | 'error' | the fault kind that hit it. */
  outcome: string;
  httpStatus: number;
  code: number | null;
  /** True when the venue executed the request (an order was created or cancelled). */
  executed: boolean;
}

export interface ClientIdStats {
  readonly accountId: string;
  readonly clientOrderId: string;
  /** Placement requests that carried this id as newClientOrderId (or leg/list id). */
  submitted: number;
  /** Orders created with this id. More than 1 means the id executed more than once. */
  executed: number;
  readonly orderIds: number[];
}

export interface AuditSummary {
  readonly requests: number;
  readonly placementRequests: number;
  readonly ordersCreated: number;
  readonly fills: number;
  readonly balanceChanges: number;
  /** Client ids that created more than one order. */
  readonly duplicates: readonly ClientIdStats[];
}

const PLACEMENTS = new Set([
  'POST /api/v3/order',
  'POST /api/v3/order/oco',
  'POST /api/v3/orderList/oco',
  'POST /fapi/v1/order',
  'POST /fapi/v1/algoOrder',
]);
const MAX_KEPT = 200_000;

export interface AuditState {
  readonly requests: RequestRecord[];
  readonly clientIds: ClientIdStats[];
  readonly fills: FillView[];
  readonly balanceChanges: BalanceChange[];
  readonly seq: number;
  /** Running sums of every balance change per account and asset (kept whole when logs are trimmed). */
  readonly sums?: Record<string, { free: string; locked: string }>;
}

export class Audit {
  private readonly requestLog: RequestRecord[] = [];
  private readonly byClientId = new Map<string, ClientIdStats>();
  private readonly fillLog: FillView[] = [];
  private readonly changeLog: BalanceChange[] = [];
  private seq = 0;
  private ordersCreated = 0;
  private readonly sums = new Map<string, { free: Decimal; locked: Decimal }>();

  recordRequest(r: Omit<RequestRecord, 'seq'>): RequestRecord {
    const rec: RequestRecord = { ...r, seq: ++this.seq };
    this.requestLog.push(rec);
    if (this.requestLog.length > MAX_KEPT) this.requestLog.splice(0, this.requestLog.length - MAX_KEPT);
    if (PLACEMENTS.has(r.endpoint) && r.accountId !== null) {
      for (const cid of r.clientIds) this.stats(r.accountId, cid).submitted += 1;
    }
    return rec;
  }

  /** Feed every venue event: counts created orders per client id, keeps fills and balance changes. */
  onEvents(events: readonly VenueEvent[]): void {
    for (const e of events) {
      if (e.kind === 'order') {
        if (e.executionType === 'NEW') {
          const s = this.stats(e.accountId, e.order.clientOrderId);
          s.executed += 1;
          s.orderIds.push(e.order.orderId);
          this.ordersCreated += 1;
        }
        if (e.fill) {
          this.fillLog.push(e.fill);
          if (this.fillLog.length > MAX_KEPT) this.fillLog.splice(0, this.fillLog.length - MAX_KEPT);
        }
      } else if (e.kind === 'account') {
        for (const c of e.changes) {
          this.changeLog.push(c);
          const k = `${c.accountId}\u0000${c.asset}`;
          const sum = this.sums.get(k) ?? { free: new Decimal(0), locked: new Decimal(0) };
          sum.free = sum.free.plus(c.freeDelta);
          sum.locked = sum.locked.plus(c.lockedDelta);
          this.sums.set(k, sum);
        }
        if (this.changeLog.length > MAX_KEPT) this.changeLog.splice(0, this.changeLog.length - MAX_KEPT);
      }
    }
  }

  /** An order created outside the spot venue (the futures side): counted per client id like the venue's. */
  countCreated(accountId: string, clientOrderId: string, orderId: number): void {
    const s = this.stats(accountId, clientOrderId);
    s.executed += 1;
    s.orderIds.push(orderId);
    this.ordersCreated += 1;
  }

  requests(filter: { clientOrderId?: string; endpoint?: string } = {}): RequestRecord[] {
    return this.requestLog.filter(
      (r) =>
        (filter.clientOrderId === undefined || r.clientIds.includes(filter.clientOrderId)) &&
        (filter.endpoint === undefined || r.endpoint === filter.endpoint),
    );
  }

  clientId(clientOrderId: string, accountId?: string): ClientIdStats | undefined {
    if (accountId !== undefined) return this.byClientId.get(`${accountId}\u0000${clientOrderId}`);
    for (const s of this.byClientId.values()) if (s.clientOrderId === clientOrderId) return s;
    return undefined;
  }

  clientIds(): ClientIdStats[] {
    return [...this.byClientId.values()];
  }

  /** Client ids that created more than one order: the thing that must never happen. */
  duplicates(): ClientIdStats[] {
    return this.clientIds().filter((s) => s.executed > 1);
  }

  fills(filter: { accountId?: string; clientOrderId?: string } = {}): FillView[] {
    return this.fillLog.filter(
      (f) =>
        (filter.accountId === undefined || f.accountId === filter.accountId) &&
        (filter.clientOrderId === undefined || f.clientOrderId === filter.clientOrderId),
    );
  }

  balanceChanges(filter: { accountId?: string; asset?: string } = {}): BalanceChange[] {
    return this.changeLog.filter(
      (c) =>
        (filter.accountId === undefined || c.accountId === filter.accountId) &&
        (filter.asset === undefined || c.asset === filter.asset),
    );
  }

  summary(): AuditSummary {
    return {
      requests: this.requestLog.length,
      placementRequests: this.requestLog.filter((r) => PLACEMENTS.has(r.endpoint)).length,
      ordersCreated: this.ordersCreated,
      fills: this.fillLog.length,
      balanceChanges: this.changeLog.length,
      duplicates: this.duplicates(),
    };
  }

  /**
   * Reconcile: for every account and asset, the sum of every balance change recorded equals the
   * balance, fills never share a (symbol, tradeId), and the venue's conservation totals are 0.
   * Returns the problems found (empty = consistent).
   */
  check(venue: Venue): string[] {
    const problems: string[] = [];
    const sums = this.sums;
    for (const accountId of venue.accountIds()) {
      for (const b of venue.balances(accountId)) {
        const s = sums.get(`${accountId}\u0000${b.asset}`) ?? { free: new Decimal(0), locked: new Decimal(0) };
        if (!s.free.equals(b.free) || !s.locked.equals(b.locked)) {
          problems.push(
            `${accountId} ${b.asset}: balance ${b.free}/${b.locked} but recorded changes sum to ${str(s.free)}/${str(s.locked)}`,
          );
        }
      }
    }
    const seen = new Set<string>();
    for (const f of this.fillLog) {
      const k = `${f.symbol}:${f.tradeId}`;
      if (seen.has(k)) problems.push(`trade ${k} recorded twice`);
      seen.add(k);
    }
    for (const [asset, t] of Object.entries(venue.totals())) {
      if (!d(t.total).isZero())
        problems.push(
          `${asset} not conserved: accounts ${t.accounts} + house ${t.house} + fees ${t.fees} = ${t.total}`,
        );
    }
    for (const s of this.duplicates())
      problems.push(
        `client id ${s.clientOrderId} (${s.accountId}) executed ${s.executed} times: orders ${s.orderIds.join(', ')}`,
      );
    return problems;
  }

  /** The audit as JSON; `limit` keeps the latest entries of each log (per-client-id counters are all kept). */
  exportState(limit = Number.POSITIVE_INFINITY): AuditState {
    const last = <T>(xs: T[]) => (xs.length > limit ? xs.slice(-limit) : [...xs]);
    const sums = Object.fromEntries([...this.sums].map(([k, v]) => [k, { free: str(v.free), locked: str(v.locked) }]));
    return {
      requests: last(this.requestLog),
      clientIds: this.clientIds().map((s) => ({ ...s, orderIds: [...s.orderIds] })),
      fills: last(this.fillLog),
      balanceChanges: last(this.changeLog),
      seq: this.seq,
      sums,
    };
  }

  importState(s: AuditState): void {
    this.requestLog.push(...s.requests);
    for (const c of s.clientIds)
      this.byClientId.set(`${c.accountId}\u0000${c.clientOrderId}`, { ...c, orderIds: [...c.orderIds] });
    this.fillLog.push(...s.fills);
    this.changeLog.push(...s.balanceChanges);
    this.seq = s.seq;
    if (s.sums) for (const [k, v] of Object.entries(s.sums)) this.sums.set(k, { free: d(v.free), locked: d(v.locked) });
    else
      for (const c of s.balanceChanges) {
        const k = `${c.accountId}\u0000${c.asset}`;
        const sum = this.sums.get(k) ?? { free: new Decimal(0), locked: new Decimal(0) };
        this.sums.set(k, { free: sum.free.plus(c.freeDelta), locked: sum.locked.plus(c.lockedDelta) });
      }
    this.ordersCreated = s.clientIds.reduce((n, c) => n + c.executed, 0);
  }

  private stats(accountId: string, cid: string): ClientIdStats {
    const k = `${accountId}\u0000${cid}`;
    let s = this.byClientId.get(k);
    if (!s) {
      s = { accountId, clientOrderId: cid, submitted: 0, executed: 0, orderIds: [] };
      this.byClientId.set(k, s);
    }
    return s;
  }
}
