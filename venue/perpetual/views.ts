/**
 * What an account looks like at the current mark prices: per position its notional, unrealised
 * PnL, initial and maintenance margin and liquidation price; per account the cross margin
 * balance, the margins in use and the available balance (Binance's /fapi/v2/account and
 * /fapi/v2/positionRisk). Pure functions of the records.
 *
 * - initial margin = |amount| × mark / leverage; maintenance margin from the bracket (margin.ts);
 * - open-order initial margin: for every open order, the margin of the part that would open or
 *   grow a position, plus its open loss (margin.ts `orderCost`); reduce-only orders need none;
 * - available balance = cross wallet + cross unrealised PnL − cross initial margins − open-order
 *   margins (isolated positions have their own wallet and do not count).
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import { crossWallet, money, positionOf, settingsOf, walletOf } from './ledger';
import {
  breakEvenPrice,
  initialMargin,
  liquidationPrice,
  maintenanceMargin,
  maxNotional,
  orderCost,
  unrealizedPnl,
} from './margin';
import type { AccountRec, OrderRec, PerpCore, SymbolRec } from './state';
import type { AccountView, PositionView } from './types';

export const markOf = (s: SymbolRec | undefined): Dec | null => s?.markPrice ?? s?.lastPrice ?? null;

interface PositionFigures {
  readonly symbol: string;
  readonly amount: Decimal;
  readonly mark: Decimal;
  readonly upnl: Decimal;
  readonly im: Decimal;
  readonly mm: Decimal;
  readonly isolated: boolean;
}

function figures(core: PerpCore, acc: AccountRec, symbol: string): PositionFigures | null {
  const s = core.symbols.get(symbol);
  const p = acc.positions[symbol];
  if (!s || !p || p.amount === '0') return null;
  const set = settingsOf(core, acc, symbol);
  const mark = d(markOf(s) ?? p.entryPrice);
  const amount = d(p.amount);
  return {
    symbol,
    amount,
    mark,
    upnl: unrealizedPnl(amount, p.entryPrice, mark),
    im: initialMargin(amount, mark, set.leverage),
    mm: maintenanceMargin(s.spec.brackets, amount.abs().times(mark)),
    isolated: set.marginType === 'ISOLATED',
  };
}

/** Initial margin an open order holds (0 for reduce-only and for what only reduces the position). */
export function openOrderMargin(core: PerpCore, acc: AccountRec, o: OrderRec): Decimal {
  if (o.reduceOnly || o.closePosition) return new Decimal(0);
  const s = core.symbols.get(o.symbol);
  const left = d(o.origQty).minus(o.executedQty);
  if (!s || left.lessThanOrEqualTo(0)) return new Decimal(0);
  const pos = d(positionOf(acc, o.symbol).amount);
  const closable = (o.side === 'BUY' ? pos.isNegative() : pos.isPositive()) ? pos.abs() : new Decimal(0);
  return orderCost(left, o.price, markOf(s), o.side, closable, settingsOf(core, acc, o.symbol).leverage);
}

export interface AccountSummary {
  readonly asset: string;
  readonly wallet: Decimal;
  readonly crossWallet: Decimal;
  readonly crossUpnl: Decimal;
  readonly upnl: Decimal;
  readonly crossIm: Decimal;
  readonly crossMm: Decimal;
  readonly im: Decimal;
  readonly mm: Decimal;
  readonly openOrderIm: Decimal;
  readonly available: Decimal;
  readonly positions: readonly PositionFigures[];
}

export function summary(core: PerpCore, acc: AccountRec, asset = 'USDT'): AccountSummary {
  const positions: PositionFigures[] = [];
  for (const symbol of Object.keys(acc.positions)) {
    if (core.symbols.get(symbol)?.spec.marginAsset !== asset) continue;
    const f = figures(core, acc, symbol);
    if (f) positions.push(f);
  }
  let openOrderIm = new Decimal(0);
  for (const s of core.symbols.values()) {
    if (s.spec.marginAsset !== asset) continue;
    for (const o of s.open) if (o.accountId === acc.id) openOrderIm = openOrderIm.plus(openOrderMargin(core, acc, o));
  }
  const sum = (xs: Decimal[]) => xs.reduce((t, x) => t.plus(x), new Decimal(0));
  const cross = positions.filter((p) => !p.isolated);
  const cw = crossWallet(core, acc, asset);
  const crossUpnl = sum(cross.map((p) => p.upnl));
  const crossIm = sum(cross.map((p) => p.im));
  return {
    asset,
    wallet: d(walletOf(acc, asset)),
    crossWallet: cw,
    crossUpnl,
    upnl: sum(positions.map((p) => p.upnl)),
    crossIm,
    crossMm: sum(cross.map((p) => p.mm)),
    im: sum(positions.map((p) => p.im)),
    mm: sum(positions.map((p) => p.mm)),
    openOrderIm,
    available: cw.plus(crossUpnl).minus(crossIm).minus(openOrderIm),
    positions,
  };
}

const m8 = (x: Decimal): Dec => str(money(x));

export function accountView(core: PerpCore, acc: AccountRec, asset = 'USDT'): AccountView {
  const s = summary(core, acc, asset);
  return {
    accountId: acc.id,
    asset,
    walletBalance: str(s.wallet),
    crossWalletBalance: str(s.crossWallet),
    crossUnPnl: m8(s.crossUpnl),
    unrealizedProfit: m8(s.upnl),
    marginBalance: m8(s.wallet.plus(s.upnl)),
    positionInitialMargin: m8(s.im),
    openOrderInitialMargin: m8(s.openOrderIm),
    maintMargin: m8(s.mm),
    availableBalance: m8(s.available),
    maxWithdrawAmount: m8(Decimal.max(0, Decimal.min(s.crossWallet, s.available))),
    updateTime: acc.updateTime,
  };
}

/** Binance's liquidation price of the account's position on `symbol` ('0' when none applies). */
export function liquidationPriceOf(
  core: PerpCore,
  acc: AccountRec,
  symbol: string,
  s = summary(core, acc, core.symbols.get(symbol)?.spec.marginAsset),
): Dec {
  const sym = core.symbols.get(symbol);
  const p = acc.positions[symbol];
  if (!sym || !p || p.amount === '0') return '0';
  const isolated = settingsOf(core, acc, symbol).marginType === 'ISOLATED';
  const others = s.positions.filter((f) => !f.isolated && f.symbol !== symbol);
  const lp = liquidationPrice({
    amount: p.amount,
    entryPrice: p.entryPrice,
    walletBalance: isolated ? p.isolatedWallet : s.crossWallet,
    otherMaintenance: isolated ? '0' : others.reduce((t, f) => t.plus(f.mm), new Decimal(0)),
    otherUnrealized: isolated ? '0' : others.reduce((t, f) => t.plus(f.upnl), new Decimal(0)),
    brackets: sym.spec.brackets,
  });
  return lp === null ? '0' : str(lp.toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN));
}

export function positionView(core: PerpCore, acc: AccountRec, symbol: string): PositionView | null {
  const sym = core.symbols.get(symbol);
  if (!sym) return null;
  const p = positionOf(acc, symbol);
  const set = settingsOf(core, acc, symbol);
  const s = summary(core, acc, sym.spec.marginAsset);
  const f = s.positions.find((x) => x.symbol === symbol);
  const mark = markOf(sym) ?? '0';
  const isolated = set.marginType === 'ISOLATED';
  let openIm = new Decimal(0);
  for (const o of sym.open) if (o.accountId === acc.id) openIm = openIm.plus(openOrderMargin(core, acc, o));
  const upnl = f?.upnl ?? new Decimal(0);
  return {
    symbol,
    positionAmt: p.amount,
    entryPrice: p.entryPrice,
    breakEvenPrice: breakEvenPrice(p.amount, p.entryPrice, core.settings.takerFee),
    markPrice: mark,
    unRealizedProfit: m8(upnl),
    liquidationPrice: liquidationPriceOf(core, acc, symbol, s),
    leverage: set.leverage,
    maxNotionalValue: str(maxNotional(sym.spec.brackets, set.leverage)),
    marginType: set.marginType,
    isolatedMargin: isolated ? m8(d(p.isolatedWallet).plus(upnl)) : '0',
    isolatedWallet: isolated ? p.isolatedWallet : '0',
    notional: m8(f ? f.amount.times(f.mark) : new Decimal(0)),
    initialMargin: m8(f?.im ?? new Decimal(0)),
    maintMargin: m8(f?.mm ?? new Decimal(0)),
    openOrderInitialMargin: m8(openIm),
    accumulatedRealized: p.accumulatedRealized,
    positionSide: 'BOTH',
    updateTime: p.updateTime,
  };
}
