/**
 * The venue's money: every account's free and locked balance per asset, the reservations (locks)
 * orders hold, the "house" that is the counterparty of every fill and deposit, and the fees
 * collected. Every movement is recorded in the context as a `BalanceChange` and reported as one
 * account event per account (`flush`). Nothing here knows about matching. Pure.
 */
import { type Dec, Decimal, d, str } from '../core/decimal';
import { type Ctx, newCtx } from './context';
import { Errors } from './errors';
import type { Balance, LockState } from './state';
import type { BalanceChange, BalanceReason, BalanceView, VenueEvent, VenueResult } from './types';

export class Ledger {
  readonly accounts = new Map<string, Map<string, Balance>>();
  readonly house = new Map<string, Dec>();
  readonly fees = new Map<string, Dec>();
  readonly locks = new Map<number, LockState>();
  nextLockId = 1;

  has(accountId: string): boolean {
    return this.accounts.has(accountId);
  }

  ids(): string[] {
    return [...this.accounts.keys()];
  }

  /** Create the account if it does not exist (idempotent). */
  open(accountId: string): void {
    if (!this.accounts.has(accountId)) this.accounts.set(accountId, new Map());
  }

  /** Deposit (positive) or withdraw (negative, from free) an amount: a Binance balanceUpdate. */
  deposit(accountId: string, asset: string, amount: Dec, time: number): VenueResult<{ events: readonly VenueEvent[] }> {
    const account = this.accounts.get(accountId);
    if (!account) return { ok: false, ...Errors.unknownAccount() };
    const delta = d(amount);
    const bal = account.get(asset) ?? { free: '0', locked: '0' };
    if (d(bal.free).plus(delta).isNegative()) return { ok: false, ...Errors.insufficientBalance() };
    const ctx = newCtx(time);
    ctx.events.push({ kind: 'deposit', accountId, time, asset, delta: str(delta) });
    this.move(ctx, accountId, asset, delta, null, 'deposit', null, null);
    this.house.set(asset, str(d(this.house.get(asset) ?? '0').minus(delta)));
    this.flush(ctx);
    return { ok: true, events: ctx.events };
  }

  balances(accountId: string): BalanceView[] {
    const account = this.accounts.get(accountId);
    if (!account) return [];
    return [...account.entries()].map(([asset, b]) => ({ asset, free: b.free, locked: b.locked }));
  }

  balance(accountId: string, asset: string): BalanceView {
    const b = this.accounts.get(accountId)?.get(asset);
    return { asset, free: b?.free ?? '0', locked: b?.locked ?? '0' };
  }

  free(accountId: string, asset: string): Decimal {
    return d(this.balance(accountId, asset).free);
  }

  /**
   * Conservation check: for each asset, accounts (free + locked) + house + fees. Deposits are
   * mirrored in the house, so every total stays 0 whatever happens.
   */
  totals(): Record<string, { accounts: Dec; house: Dec; fees: Dec; total: Dec }> {
    const out: Record<string, { accounts: Dec; house: Dec; fees: Dec; total: Dec }> = {};
    const assets = new Set<string>([...this.house.keys(), ...this.fees.keys()]);
    for (const account of this.accounts.values()) for (const a of account.keys()) assets.add(a);
    for (const asset of assets) {
      let acc = new Decimal(0);
      for (const account of this.accounts.values()) {
        const b = account.get(asset);
        if (b) acc = acc.plus(b.free).plus(b.locked);
      }
      const house = d(this.house.get(asset) ?? '0');
      const fees = d(this.fees.get(asset) ?? '0');
      out[asset] = { accounts: str(acc), house: str(house), fees: str(fees), total: str(acc.plus(house).plus(fees)) };
    }
    return out;
  }

  feesCollectedBy(asset: string): Dec {
    return this.fees.get(asset) ?? '0';
  }

  collectFee(asset: string, commission: Decimal): void {
    this.fees.set(asset, str(d(this.fees.get(asset) ?? '0').plus(commission)));
  }

  houseMove(asset: string, delta: Decimal): void {
    this.house.set(asset, str(d(this.house.get(asset) ?? '0').plus(delta)));
  }

  lockOf(lockId: number | null): LockState | undefined {
    return lockId !== null ? this.locks.get(lockId) : undefined;
  }

  /** Reserve `amount` of free `asset` for the orders `holders`; returns the lock id. */
  lock(ctx: Ctx, accountId: string, asset: string, amount: Decimal, holders: number[], orderId: number): number {
    const id = this.nextLockId++;
    this.locks.set(id, { id, accountId, asset, amount: str(amount), holders });
    this.move(ctx, accountId, asset, amount.negated(), amount, 'lock', orderId, null);
    return id;
  }

  /**
   * Release what is left of a reservation once no order holding it is open (`isOpen` answers
   * for the other holders, e.g. the sibling leg of an OCO).
   */
  release(ctx: Ctx, lockId: number | null, orderId: number, isOpen: (holder: number) => boolean): void {
    if (lockId === null) return;
    const lock = this.locks.get(lockId);
    if (!lock) return;
    if (lock.holders.some((id) => id !== orderId && isOpen(id))) return;
    const amount = d(lock.amount);
    if (amount.greaterThan(0))
      this.move(ctx, lock.accountId, lock.asset, amount, amount.negated(), 'unlock', orderId, null);
    this.locks.delete(lock.id);
  }

  /** Pay for a fill from the order's reservation first, then from the free balance. */
  pay(
    ctx: Ctx,
    accountId: string,
    lockId: number | null,
    asset: string,
    amount: Decimal,
    orderId: number,
    tradeId: number,
  ): void {
    const lock = this.lockOf(lockId);
    if (lock && lock.asset === asset) {
      const fromLock = Decimal.min(amount, lock.amount);
      lock.amount = str(d(lock.amount).minus(fromLock));
      this.move(ctx, accountId, asset, null, fromLock.negated(), 'trade', orderId, tradeId);
      const rest = amount.minus(fromLock);
      if (rest.greaterThan(0)) this.move(ctx, accountId, asset, rest.negated(), null, 'trade', orderId, tradeId);
    } else {
      this.move(ctx, accountId, asset, amount.negated(), null, 'trade', orderId, tradeId);
    }
  }

  move(
    ctx: Ctx,
    accountId: string,
    asset: string,
    freeDelta: Decimal | null,
    lockedDelta: Decimal | null,
    reason: BalanceReason,
    orderId: number | null,
    tradeId: number | null,
  ): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    const bal = account.get(asset) ?? { free: '0', locked: '0' };
    const free = freeDelta ? d(bal.free).plus(freeDelta) : null;
    const locked = lockedDelta ? d(bal.locked).plus(lockedDelta) : null;
    // A negative balance would be a matching bug: fail loudly rather than invent money.
    if ((free && free.isNegative()) || (locked && locked.isNegative())) {
      throw new Error(`balance of ${accountId} ${asset} would go negative (${reason}, order ${orderId})`);
    }
    account.set(asset, { free: free ? str(free) : bal.free, locked: locked ? str(locked) : bal.locked });
    ctx.pending.push({
      accountId,
      asset,
      freeDelta: freeDelta ? str(freeDelta) : '0',
      lockedDelta: lockedDelta ? str(lockedDelta) : '0',
      reason,
      orderId,
      tradeId,
      time: ctx.time,
    });
  }

  /** One account event per account with pending balance changes, listing the changed assets. */
  flush(ctx: Ctx): void {
    if (ctx.pending.length === 0) return;
    const byAccount = new Map<string, BalanceChange[]>();
    for (const c of ctx.pending) {
      const list = byAccount.get(c.accountId);
      if (list) list.push(c);
      else byAccount.set(c.accountId, [c]);
    }
    ctx.pending = [];
    for (const [accountId, changes] of byAccount) {
      const assets = [...new Set(changes.map((c) => c.asset))];
      ctx.events.push({
        kind: 'account',
        accountId,
        time: ctx.time,
        balances: assets.map((a) => this.balance(accountId, a)),
        changes,
      });
    }
  }
}
