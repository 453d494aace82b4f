/**
 * The futures side's audit: orders and conditional orders created per client id go into the
 * exchange's audit (so `ex.audit.duplicates()` covers futures too: a resent MARKET order that
 * opened a second position shows as a client id executed twice), and the futures fills and
 * wallet changes are kept here for `check`: every wallet equals the sum of its recorded
 * incomes, no trade id appears twice.
 */
import { Decimal, str } from '../../core/decimal';
import type { IncomeRecord, Perpetual, PerpEvent, PerpFillView } from '../../venue/perpetual';
import type { Audit } from '../audit';

export class FuturesAudit {
  private readonly fillLog: PerpFillView[] = [];
  private readonly incomeLog: IncomeRecord[] = [];
  private readonly sums = new Map<string, Decimal>();

  constructor(private readonly audit: Audit) {}

  /** After a restart: the wallet changes so far (the perpetual's income records restored from the state file). */
  seed(incomes: readonly IncomeRecord[]): void {
    for (const i of incomes) {
      const k = `${i.accountId}\u0000${i.asset}`;
      this.sums.set(k, (this.sums.get(k) ?? new Decimal(0)).plus(i.income));
    }
  }

  onEvents(events: readonly PerpEvent[]): void {
    for (const e of events) {
      if (e.kind === 'order') {
        // A triggered order is the conditional order's execution, counted under its clientAlgoId.
        if (e.executionType === 'NEW' && e.order.algoId === null)
          this.audit.countCreated(e.accountId, e.order.clientOrderId, e.order.orderId);
        if (e.fill) this.fillLog.push(e.fill);
      } else if (e.kind === 'algo' && e.algo.status === 'NEW') {
        this.audit.countCreated(e.accountId, e.algo.clientAlgoId, e.algo.algoId);
      } else if (e.kind === 'account') {
        for (const i of e.incomes) {
          this.incomeLog.push(i);
          const k = `${i.accountId}\u0000${i.asset}`;
          this.sums.set(k, (this.sums.get(k) ?? new Decimal(0)).plus(i.income));
        }
      }
    }
    if (this.fillLog.length > 200_000) this.fillLog.splice(0, 20_000);
    if (this.incomeLog.length > 200_000) this.incomeLog.splice(0, 20_000);
  }

  fills(filter: { accountId?: string; clientOrderId?: string } = {}): PerpFillView[] {
    return this.fillLog.filter(
      (f) =>
        (filter.accountId === undefined || f.accountId === filter.accountId) &&
        (filter.clientOrderId === undefined || f.clientOrderId === filter.clientOrderId),
    );
  }

  incomes(accountId?: string): IncomeRecord[] {
    return this.incomeLog.filter((i) => accountId === undefined || i.accountId === accountId);
  }

  /** Problems found (empty = consistent): wallets vs recorded incomes, duplicate trades, client ids executed twice. */
  check(perp: Perpetual): string[] {
    const problems: string[] = [];
    for (const id of perp.accountIds()) {
      const a = perp.account(id);
      if (!a) continue;
      const sum = this.sums.get(`${id}\u0000${a.asset}`) ?? new Decimal(0);
      if (!sum.equals(a.walletBalance))
        problems.push(`${id} ${a.asset}: futures wallet ${a.walletBalance} but recorded incomes sum to ${str(sum)}`);
    }
    const seen = new Set<string>();
    for (const f of this.fillLog) {
      const k = `${f.symbol}:${f.tradeId}`;
      if (seen.has(k)) problems.push(`futures trade ${k} recorded twice`);
      seen.add(k);
    }
    for (const s of this.audit.duplicates())
      problems.push(
        `client id ${s.clientOrderId} (${s.accountId}) executed ${s.executed} times: orders ${s.orderIds.join(', ')}`,
      );
    return problems;
  }
}
