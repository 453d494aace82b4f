/**
 * Funding, margin calls and liquidation of the perpetual. Pure.
 *
 * Funding: at every funding time (funding.ts) each open position pays −amount × mark × rate
 * (rounded to 8 decimals; longs pay shorts when the rate is positive) at the mark known just
 * before that time. An isolated position pays from its isolated wallet. ACCOUNT_UPDATE reason
 * FUNDING_FEE, income FUNDING_FEE.
 *
 * Liquidation at the mark price, Binance's rule: cross when the cross margin balance (cross
 * wallet + cross unrealised PnL) is at or below the cross maintenance margin — every cross
 * position is closed; isolated when the isolated wallet + the position's unrealised PnL is at or
 * below its maintenance margin. The account's open orders on the symbol are cancelled first, the
 * position closes at the mark with a LIQUIDATION order (client id `autoclose-<time>`, execution
 * type CALCULATED), the clearance fee (`liquidationFee` × notional, at most the margin left) is
 * booked as INSURANCE_CLEAR, and a loss beyond the margin is covered by the insurance fund (an
 * INSURANCE_CLEAR income that brings the wallet back to 0): the account never goes negative.
 *
 * MARGIN_CALL: once maintenance margin / margin balance reaches `marginCallRatio` (default 80 %),
 * one event until the ratio falls below it again.
 */
import { type Dec, Decimal, d, str } from '../../core/decimal';
import { cancelAlgo } from './algo';
import { clearanceFee } from './fees';
import { fundingPayment, nextFundingTime } from './funding';
import { type Ctx, accountEvent, addIncome, adjustIsolated, closeAt, money, positionOf, settingsOf } from './ledger';
import { emitOrder } from './execution';
import { cancelRegular } from './matching';
import { type AccountRec, type OrderRec, type PerpCore, type SymbolRec, clientKey } from './state';
import type { IncomeRecord, MarginCallPosition } from './types';
import { markOf, summary } from './views';

const MAX_FUNDINGS_PER_CALL = 10_000;

/** Settle every funding time of the symbol up to `time` (inclusive). */
export function settleFunding(core: PerpCore, ctx: Ctx, sym: SymbolRec, time: number): void {
  const interval = core.settings.fundingIntervalMs;
  if (sym.nextFundingTime === 0) {
    sym.nextFundingTime = nextFundingTime(time, interval);
    return;
  }
  let n = 0;
  while (sym.nextFundingTime <= time && n++ < MAX_FUNDINGS_PER_CALL) {
    const at = sym.nextFundingTime;
    const mark = markOf(sym);
    if (mark !== null) {
      sym.funding.push({
        symbol: sym.spec.filters.symbol,
        fundingRate: sym.fundingRate,
        fundingTime: at,
        markPrice: mark,
      });
      const fctx: Ctx = { time: at, events: ctx.events };
      for (const id of [...sym.holders]) {
        const acc = core.accounts.get(id);
        if (!acc) continue;
        const pos = positionOf(acc, sym.spec.filters.symbol);
        const pay = money(d(fundingPayment(pos.amount, mark, sym.fundingRate)));
        if (pay.isZero()) continue;
        const income = addIncome(
          core,
          fctx,
          acc,
          sym.spec.marginAsset,
          sym.spec.filters.symbol,
          'FUNDING_FEE',
          pay,
          '',
          null,
        );
        if (settingsOf(core, acc, sym.spec.filters.symbol).marginType === 'ISOLATED')
          adjustIsolated(core, acc, sym.spec.filters.symbol, pay, at);
        accountEvent(core, fctx, acc, 'FUNDING_FEE', [sym.spec.filters.symbol], [income], (s) =>
          markOf(core.symbols.get(s)),
        );
      }
    }
    sym.nextFundingTime = at + interval;
  }
  if (sym.nextFundingTime <= time) sym.nextFundingTime = nextFundingTime(time, interval);
}

/** Check the accounts holding a position on `sym`: liquidate what must be, send margin calls. */
export function checkRisk(core: PerpCore, ctx: Ctx, sym: SymbolRec): void {
  for (const id of [...sym.holders]) {
    const acc = core.accounts.get(id);
    if (acc) checkAccount(core, ctx, acc, sym.spec.marginAsset);
  }
}

export function checkAccount(core: PerpCore, ctx: Ctx, acc: AccountRec, asset: string): void {
  const s = summary(core, acc, asset);
  const cross = s.positions.filter((p) => !p.isolated);
  if (cross.length > 0) {
    const balance = s.crossWallet.plus(s.crossUpnl);
    if (balance.lessThanOrEqualTo(s.crossMm)) {
      liquidate(
        core,
        ctx,
        acc,
        cross.map((p) => p.symbol),
        s.crossWallet,
      );
      acc.marginCalled.cross = false;
    } else
      marginCall(
        ctx,
        core,
        acc,
        'cross',
        s.crossMm.dividedBy(balance),
        s.crossWallet,
        cross.map((p) => p.symbol),
      );
  } else acc.marginCalled.cross = false;
  for (const p of s.positions.filter((x) => x.isolated)) {
    const wallet = d(positionOf(acc, p.symbol).isolatedWallet);
    const balance = wallet.plus(p.upnl);
    if (balance.lessThanOrEqualTo(p.mm)) {
      liquidate(core, ctx, acc, [p.symbol], wallet);
      acc.marginCalled[p.symbol] = false;
    } else marginCall(ctx, core, acc, p.symbol, p.mm.dividedBy(balance), s.crossWallet, [p.symbol]);
  }
}

function marginCall(
  ctx: Ctx,
  core: PerpCore,
  acc: AccountRec,
  key: string,
  ratio: Decimal,
  crossWallet: Decimal,
  symbols: readonly string[],
): void {
  const over = ratio.greaterThanOrEqualTo(core.settings.marginCallRatio);
  if (!over) {
    acc.marginCalled[key] = false;
    return;
  }
  if (acc.marginCalled[key]) return;
  acc.marginCalled[key] = true;
  const positions: MarginCallPosition[] = symbols.map((symbol) => {
    const p = positionOf(acc, symbol);
    const sym = core.symbols.get(symbol) as SymbolRec;
    const mark = markOf(sym) ?? p.entryPrice;
    const f = summary(core, acc, sym.spec.marginAsset).positions.find((x) => x.symbol === symbol);
    const set = settingsOf(core, acc, symbol);
    return {
      symbol,
      positionAmount: p.amount,
      marginType: set.marginType,
      isolatedWallet: set.marginType === 'ISOLATED' ? p.isolatedWallet : '0',
      markPrice: mark,
      unrealizedPnL: str(money(f?.upnl ?? new Decimal(0))),
      maintenanceMarginRequired: str(money(f?.mm ?? new Decimal(0))),
    };
  });
  ctx.events.push({
    kind: 'marginCall',
    accountId: acc.id,
    time: ctx.time,
    crossWalletBalance: str(crossWallet),
    positions,
  });
}

/**
 * Close `symbols`' positions at their marks. `margin` is what backs them (the cross wallet, or the
 * isolated wallet): the clearance fee takes at most what is left of it, the insurance fund covers
 * any loss beyond it.
 */
function liquidate(core: PerpCore, ctx: Ctx, acc: AccountRec, symbols: readonly string[], margin: Decimal): void {
  let left = margin;
  let fees = new Decimal(0);
  const asset = (core.symbols.get(symbols[0] as string) as SymbolRec).spec.marginAsset;
  const incomes: IncomeRecord[] = [];
  for (const symbol of symbols) {
    const sym = core.symbols.get(symbol) as SymbolRec;
    for (const o of [...sym.open]) if (o.accountId === acc.id) cancelRegular(core, ctx, o);
    for (const a of [...sym.algos]) if (a.accountId === acc.id) cancelAlgo(core, ctx, a);
    const pos = positionOf(acc, symbol);
    const mark = markOf(sym) ?? pos.entryPrice;
    const size = d(pos.amount).abs();
    const order = liquidationOrder(core, ctx, acc, sym, pos.amount, mark);
    sym.tradeSeq += 1;
    sym.bookSeq += 1;
    const tradeId = sym.tradeSeq;
    const { realized, income } = closeAt(core, ctx, acc, symbol, mark, tradeId);
    if (income) incomes.push(income);
    left = left.plus(realized);
    const notional = size.times(mark);
    fees = fees.plus(notional.times(sym.spec.liquidationFee));
    order.executedQty = order.origQty;
    order.cumQuote = str(notional);
    order.status = 'FILLED';
    order.updateTime = ctx.time;
    const fill = {
      accountId: acc.id,
      symbol,
      tradeId,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      side: order.side,
      positionSide: 'BOTH' as const,
      price: mark,
      qty: str(size),
      quoteQty: str(notional),
      commission: '0',
      commissionAsset: asset,
      realizedPnl: str(realized),
      isMaker: false,
      time: ctx.time,
    };
    core.fills.push(fill);
    emitOrder(ctx, order, 'CALCULATED', fill);
  }
  const fee = clearanceFee(fees, '1', left);
  if (fee.greaterThan(0))
    incomes.push(
      addIncome(core, ctx, acc, asset, symbols[0] as string, 'INSURANCE_CLEAR', fee.negated(), 'clearance fee', null),
    );
  // A loss beyond the margin is the insurance fund's, not the account's.
  const deficit = left.minus(fee);
  if (deficit.isNegative())
    incomes.push(
      addIncome(
        core,
        ctx,
        acc,
        asset,
        symbols[0] as string,
        'INSURANCE_CLEAR',
        deficit.negated(),
        'insurance fund covers the deficit',
        null,
      ),
    );
  accountEvent(core, ctx, acc, 'ORDER', symbols, incomes, (s) => markOf(core.symbols.get(s)));
}

function liquidationOrder(core: PerpCore, ctx: Ctx, acc: AccountRec, sym: SymbolRec, amount: Dec, mark: Dec): OrderRec {
  const o: OrderRec = {
    symbol: sym.spec.filters.symbol,
    orderId: ++core.counters.orderId,
    clientOrderId: `autoclose-${ctx.time}`,
    accountId: acc.id,
    side: d(amount).isPositive() ? 'SELL' : 'BUY',
    type: 'LIQUIDATION',
    origType: 'LIQUIDATION',
    timeInForce: 'IOC',
    price: mark,
    origQty: str(d(amount).abs()),
    executedQty: '0',
    cumQuote: '0',
    status: 'NEW',
    reduceOnly: true,
    closePosition: false,
    stopPrice: '0',
    workingType: 'MARK_PRICE',
    priceProtect: false,
    activatePrice: null,
    priceRate: null,
    time: ctx.time,
    updateTime: ctx.time,
    algoId: null,
    expiryReason: null,
  };
  core.orders.set(o.orderId, o);
  core.byClientId.set(clientKey(acc.id, o.clientOrderId), o.orderId);
  return o;
}
