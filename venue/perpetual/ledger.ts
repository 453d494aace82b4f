/**
 * Wallets and positions of the perpetual's accounts: the only code that changes money.
 *
 * - The wallet balance (per margin asset, USDT) is the sum of the account's incomes: transfers,
 *   realised PnL, commissions, funding fees and liquidation clearance (`IncomeRecord`, the audit
 *   trail GET /fapi/v1/income shows). Isolated margin is part of it: the cross wallet is the
 *   wallet minus every isolated wallet.
 * - A fill moves the one-way position (`amount` signed): growing it averages the entry price
 *   (rounded to 8 decimals), reducing it realises `closed × (price − entry) × sign` (rounded to 8
 *   decimals), a larger opposite fill closes it and opens the rest at the fill price.
 * - Isolated: opening `q` at `P` moves `q × P / leverage` from the cross wallet into the
 *   position's isolated wallet; reducing releases the same share back; closing releases it all.
 *
 * Pure: the caller passes the time; records are plain JSON.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import type { OrderSide } from '../../core/orders';
import type { AccountRec, PerpCore, PositionRec, SymbolSettingsRec } from './state';
import type { AccountUpdateReason, IncomeRecord, IncomeType, PerpEvent, PositionUpdate } from './types';
import { breakEvenPrice, unrealizedPnl } from './margin';

export interface Ctx {
  readonly time: number;
  readonly events: PerpEvent[];
}

export const newCtx = (time: number): Ctx => ({ time, events: [] });

export const MONEY_DECIMALS = 8;
/** Money amounts are kept to 8 decimals, like Binance's wallet. */
export const money = (x: Decimal): Decimal => x.toDecimalPlaces(MONEY_DECIMALS, Decimal.ROUND_HALF_EVEN);

const FLAT: PositionRec = Object.freeze({
  amount: '0',
  entryPrice: '0',
  isolatedWallet: '0',
  accumulatedRealized: '0',
  updateTime: 0,
});

export function openAccount(core: PerpCore, id: string, time: number): AccountRec {
  let acc = core.accounts.get(id);
  if (!acc) {
    acc = { id, wallet: {}, settings: {}, positions: {}, marginCalled: {}, updateTime: time };
    core.accounts.set(id, acc);
  }
  return acc;
}

export function settingsOf(core: PerpCore, acc: AccountRec, symbol: string): SymbolSettingsRec {
  return acc.settings[symbol] ?? { leverage: core.settings.defaultLeverage, marginType: 'CROSSED' };
}

export function setSettings(acc: AccountRec, symbol: string, s: SymbolSettingsRec): void {
  acc.settings[symbol] = { ...s };
}

/** The account's position on a symbol (a frozen flat record when it has none). */
export function positionOf(acc: AccountRec, symbol: string): PositionRec {
  return acc.positions[symbol] ?? FLAT;
}

export function walletOf(acc: AccountRec, asset: string): Dec {
  return acc.wallet[asset] ?? '0';
}

/** Wallet minus every isolated wallet in that asset. */
export function crossWallet(core: PerpCore, acc: AccountRec, asset: string): Decimal {
  let w = d(walletOf(acc, asset));
  for (const [symbol, p] of Object.entries(acc.positions)) {
    if (p.isolatedWallet !== '0' && core.symbols.get(symbol)?.spec.marginAsset === asset) w = w.minus(p.isolatedWallet);
  }
  return w;
}

/** Book one wallet change: the income record and the new wallet balance. */
export function addIncome(
  core: PerpCore,
  ctx: Ctx,
  acc: AccountRec,
  asset: string,
  symbol: string,
  incomeType: IncomeType,
  income: Decimal,
  info: string,
  tradeId: number | null,
): IncomeRecord {
  const rec: IncomeRecord = {
    tranId: ++core.counters.tranId,
    accountId: acc.id,
    symbol,
    incomeType,
    income: str(income),
    asset,
    info,
    time: ctx.time,
    tradeId,
  };
  acc.wallet[asset] = str(d(walletOf(acc, asset)).plus(income));
  acc.updateTime = ctx.time;
  core.incomes.push(rec);
  return rec;
}

function storePosition(core: PerpCore, acc: AccountRec, symbol: string, p: PositionRec): void {
  const s = core.symbols.get(symbol);
  const holders = s?.holders;
  if (p.amount === '0' && p.isolatedWallet === '0') {
    // Keep the record while it carries realised PnL history? Binance keeps accumulatedRealized per position; so do we.
    acc.positions[symbol] = p;
    if (holders) {
      const i = holders.indexOf(acc.id);
      if (i >= 0) holders.splice(i, 1);
    }
    return;
  }
  acc.positions[symbol] = p;
  if (holders && !holders.includes(acc.id)) holders.push(acc.id);
}

export interface FillEffect {
  readonly realized: Decimal;
  /** The position before the fill (signed amount). */
  readonly before: Dec;
  readonly incomes: IncomeRecord[];
}

/**
 * Apply one fill to the account: position, entry, isolated margin, realised PnL and commission.
 * `fee` is the commission already computed (fees.ts).
 */
export function applyFill(
  core: PerpCore,
  ctx: Ctx,
  acc: AccountRec,
  symbol: string,
  side: OrderSide,
  qty: Dec,
  price: Dec,
  fee: Dec,
  tradeId: number,
): FillEffect {
  const spec = (core.symbols.get(symbol) as NonNullable<ReturnType<typeof core.symbols.get>>).spec;
  const asset = spec.marginAsset;
  const settings = settingsOf(core, acc, symbol);
  const isolated = settings.marginType === 'ISOLATED';
  const pos = positionOf(acc, symbol);
  const a = d(pos.amount);
  const q = d(qty);
  const p = d(price);
  const delta = side === 'BUY' ? q : q.negated();
  let realized = new Decimal(0);
  let amount: Decimal;
  let entry = d(pos.entryPrice);
  let iso = d(pos.isolatedWallet);
  const marginOf = (x: Decimal) => money(x.times(p).dividedBy(settings.leverage));
  if (a.isZero() || a.isPositive() === delta.isPositive()) {
    amount = a.plus(delta);
    entry = a.isZero() ? p : money(a.abs().times(entry).plus(q.times(p)).dividedBy(amount.abs()));
    if (isolated) iso = iso.plus(marginOf(q));
  } else {
    const size = a.abs();
    const closing = Decimal.min(q, size);
    realized = money(closing.times(p.minus(entry)).times(a.isPositive() ? 1 : -1));
    const left = size.minus(closing);
    if (isolated) iso = left.isZero() ? new Decimal(0) : iso.minus(money(iso.times(closing).dividedBy(size)));
    if (q.greaterThan(size)) {
      const opened = q.minus(size);
      amount = delta.isPositive() ? opened : opened.negated();
      entry = p;
      if (isolated) iso = iso.plus(marginOf(opened));
    } else {
      amount = a.plus(delta);
      if (amount.isZero()) entry = new Decimal(0);
    }
  }
  const incomes: IncomeRecord[] = [];
  if (!realized.isZero()) incomes.push(addIncome(core, ctx, acc, asset, symbol, 'REALIZED_PNL', realized, '', tradeId));
  if (!d(fee).isZero())
    incomes.push(addIncome(core, ctx, acc, asset, symbol, 'COMMISSION', d(fee).negated(), '', tradeId));
  storePosition(core, acc, symbol, {
    amount: str(amount),
    entryPrice: str(entry),
    isolatedWallet: str(iso),
    accumulatedRealized: str(d(pos.accumulatedRealized).plus(realized)),
    updateTime: ctx.time,
  });
  return { realized, before: pos.amount, incomes };
}

/** Move the isolated wallet of a position by `delta` (funding on an isolated position, liquidation). */
export function adjustIsolated(core: PerpCore, acc: AccountRec, symbol: string, delta: Decimal, time: number): void {
  const pos = positionOf(acc, symbol);
  storePosition(core, acc, symbol, {
    ...pos,
    isolatedWallet: str(Decimal.max(0, d(pos.isolatedWallet).plus(delta))),
    updateTime: time,
  });
}

/** Close a position outright at `price` (liquidation): realised PnL booked, amount and isolated wallet to 0. */
export function closeAt(
  core: PerpCore,
  ctx: Ctx,
  acc: AccountRec,
  symbol: string,
  price: Dec,
  tradeId: number,
): { realized: Decimal; income: IncomeRecord | null } {
  const pos = positionOf(acc, symbol);
  const asset = (core.symbols.get(symbol) as NonNullable<ReturnType<typeof core.symbols.get>>).spec.marginAsset;
  const realized = money(unrealizedPnl(pos.amount, pos.entryPrice, price));
  const income = realized.isZero()
    ? null
    : addIncome(core, ctx, acc, asset, symbol, 'REALIZED_PNL', realized, 'LIQUIDATION', tradeId);
  storePosition(core, acc, symbol, {
    amount: '0',
    entryPrice: '0',
    isolatedWallet: '0',
    accumulatedRealized: str(d(pos.accumulatedRealized).plus(realized)),
    updateTime: ctx.time,
  });
  return { realized, income };
}

/** The ACCOUNT_UPDATE event for a change of the account's wallet and some of its positions. */
export function accountEvent(
  core: PerpCore,
  ctx: Ctx,
  acc: AccountRec,
  reason: AccountUpdateReason,
  symbols: readonly string[],
  incomes: readonly IncomeRecord[],
  markOf: (symbol: string) => Dec | null,
): void {
  const assets = new Set<string>(incomes.map((i) => i.asset));
  for (const s of symbols) {
    const spec = core.symbols.get(s)?.spec;
    if (spec) assets.add(spec.marginAsset);
  }
  const balances = [...assets].map((asset) => {
    const change = incomes
      .filter((i) => i.asset === asset && i.incomeType !== 'REALIZED_PNL' && i.incomeType !== 'COMMISSION')
      .reduce((t, i) => t.plus(i.income), new Decimal(0));
    return {
      asset,
      walletBalance: walletOf(acc, asset),
      crossWalletBalance: str(crossWallet(core, acc, asset)),
      balanceChange: str(change),
    };
  });
  const positions: PositionUpdate[] = symbols.map((symbol) => positionUpdate(core, acc, symbol, markOf(symbol)));
  ctx.events.push({
    kind: 'account',
    accountId: acc.id,
    time: ctx.time,
    reason,
    balances,
    positions,
    incomes: [...incomes],
  });
}

export function positionUpdate(core: PerpCore, acc: AccountRec, symbol: string, mark: Dec | null): PositionUpdate {
  const p = positionOf(acc, symbol);
  const s = settingsOf(core, acc, symbol);
  return {
    symbol,
    positionAmount: p.amount,
    entryPrice: p.entryPrice,
    breakEvenPrice: breakEvenPrice(p.amount, p.entryPrice, core.settings.takerFee),
    accumulatedRealized: p.accumulatedRealized,
    unrealizedPnL: str(money(unrealizedPnl(p.amount, p.entryPrice, mark ?? p.entryPrice))),
    marginType: s.marginType,
    isolatedWallet: s.marginType === 'ISOLATED' ? p.isolatedWallet : '0',
  };
}
