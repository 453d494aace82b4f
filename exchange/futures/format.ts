/**
 * Binance USDⓈ-M JSON for the perpetual's views: orders, conditional orders, trades, positions,
 * the account and balances (REST), and the user-data events (ORDER_TRADE_UPDATE,
 * ACCOUNT_UPDATE, MARGIN_CALL, ACCOUNT_CONFIG_UPDATE, ALGO_UPDATE,
 * CONDITIONAL_ORDER_TRIGGER_REJECT). Prices are padded to the symbol's `pricePrecision`,
 * quantities to `quantityPrecision`, money to 8 decimals, as Binance's futures API shows them.
 */
import { type Dec, d, fixed } from '../../core/decimal';
import type { Json } from '../../core/json';
import type {
  AccountView,
  AlgoView,
  PerpEvent,
  PerpFillView,
  PerpOrderView,
  PerpSymbol,
  PositionView,
} from '../../venue/perpetual';
import { decimals } from '../../venue/perpetual/validate';

export interface PerpPrecision {
  readonly price: number;
  readonly qty: number;
}

export const perpPrecision = (spec: PerpSymbol | undefined): PerpPrecision => ({
  price: spec?.pricePrecision ?? 8,
  qty: spec?.quantityPrecision ?? 8,
});

/** At least `n` decimals (more when the value has them: averages, marks). */
export function atLeast(v: Dec, n: number): string {
  return decimals(v) >= n ? v : fixed(v, n);
}

const money = (v: Dec): string => atLeast(v, 8);
const marginType = (t: 'CROSSED' | 'ISOLATED'): string => (t === 'ISOLATED' ? 'isolated' : 'cross');

/** GET/POST/DELETE /fapi/v1/order. `asAck`: the order as the matching engine first took it (newOrderRespType ACK). */
export function orderJson(o: PerpOrderView, p: PerpPrecision, asAck = false): Json {
  const executed = asAck ? '0' : o.executedQty;
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: asAck ? 'NEW' : o.status,
    clientOrderId: o.clientOrderId,
    price: atLeast(o.price, p.price),
    avgPrice: asAck ? fixed('0', p.price) : atLeast(o.avgPrice, p.price),
    origQty: atLeast(o.origQty, p.qty),
    executedQty: atLeast(executed, p.qty),
    cumQty: atLeast(executed, p.qty),
    cumQuote: atLeast(asAck ? '0' : o.cumQuote, p.price + p.qty),
    timeInForce: o.timeInForce,
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: o.closePosition,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: atLeast(o.stopPrice, p.price),
    workingType: o.workingType,
    priceProtect: o.priceProtect,
    origType: o.origType,
    ...(o.activatePrice !== null ? { activatePrice: atLeast(o.activatePrice, p.price) } : {}),
    ...(o.priceRate !== null ? { priceRate: o.priceRate } : {}),
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: o.time,
    updateTime: asAck ? o.time : o.updateTime,
  };
}

/** POST/GET /fapi/v1/algoOrder (Binance's algo order fields). */
export function algoJson(a: AlgoView, p: PerpPrecision): Json {
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: a.type,
    symbol: a.symbol,
    side: a.side,
    positionSide: 'BOTH',
    timeInForce: a.timeInForce,
    quantity: atLeast(a.quantity, p.qty),
    algoStatus: a.status,
    actualOrderId: a.actualOrderId === null ? '' : String(a.actualOrderId),
    actualPrice: atLeast(a.actualPrice, p.price),
    executedQty: atLeast(a.executedQty, p.qty),
    triggerPrice: atLeast(a.triggerPrice, p.price),
    price: atLeast(a.price, p.price),
    icebergQuantity: null,
    tpTriggerPrice: fixed('0', p.price),
    tpPrice: fixed('0', p.price),
    slTriggerPrice: fixed('0', p.price),
    slPrice: fixed('0', p.price),
    tpOrderType: '',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: a.workingType,
    priceMatch: 'NONE',
    closePosition: a.closePosition,
    priceProtect: a.priceProtect,
    reduceOnly: a.reduceOnly,
    activatePrice: a.activatePrice === null ? '' : atLeast(a.activatePrice, p.price),
    callbackRate: a.callbackRate ?? '',
    createTime: a.createTime,
    updateTime: a.updateTime,
    triggerTime: a.triggerTime,
    goodTillDate: 0,
  };
}

export function tradeJson(f: PerpFillView, p: PerpPrecision): Json {
  return {
    symbol: f.symbol,
    id: f.tradeId,
    orderId: f.orderId,
    side: f.side,
    price: atLeast(f.price, p.price),
    qty: atLeast(f.qty, p.qty),
    realizedPnl: money(f.realizedPnl),
    quoteQty: atLeast(f.quoteQty, p.price + p.qty),
    commission: money(f.commission),
    commissionAsset: f.commissionAsset,
    time: f.time,
    positionSide: 'BOTH',
    buyer: f.side === 'BUY',
    maker: f.isMaker,
  };
}

/** One entry of GET /fapi/v2/positionRisk. */
export function positionRiskJson(v: PositionView, p: PerpPrecision): Json {
  return {
    symbol: v.symbol,
    positionAmt: atLeast(v.positionAmt, p.qty),
    entryPrice: atLeast(v.entryPrice, p.price),
    breakEvenPrice: atLeast(v.breakEvenPrice, p.price),
    markPrice: atLeast(v.markPrice, p.price),
    unRealizedProfit: money(v.unRealizedProfit),
    liquidationPrice: atLeast(v.liquidationPrice, p.price),
    leverage: String(v.leverage),
    maxNotionalValue: v.maxNotionalValue,
    marginType: marginType(v.marginType),
    isolatedMargin: money(v.isolatedMargin),
    isAutoAddMargin: 'false',
    positionSide: 'BOTH',
    notional: money(v.notional),
    isolatedWallet: money(v.isolatedWallet),
    updateTime: v.updateTime,
  };
}

/** GET /fapi/v2/account. */
export function accountJson(
  a: AccountView,
  positions: readonly PositionView[],
  p: (symbol: string) => PerpPrecision,
): Json {
  const asset = {
    asset: a.asset,
    walletBalance: money(a.walletBalance),
    unrealizedProfit: money(a.unrealizedProfit),
    marginBalance: money(a.marginBalance),
    maintMargin: money(a.maintMargin),
    initialMargin: money(d(a.positionInitialMargin).plus(a.openOrderInitialMargin).toFixed()),
    positionInitialMargin: money(a.positionInitialMargin),
    openOrderInitialMargin: money(a.openOrderInitialMargin),
    crossWalletBalance: money(a.crossWalletBalance),
    crossUnPnl: money(a.crossUnPnl),
    availableBalance: money(a.availableBalance),
    maxWithdrawAmount: money(a.maxWithdrawAmount),
    marginAvailable: true,
    updateTime: a.updateTime,
  };
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: true,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    totalInitialMargin: asset.initialMargin,
    totalMaintMargin: asset.maintMargin,
    totalWalletBalance: asset.walletBalance,
    totalUnrealizedProfit: asset.unrealizedProfit,
    totalMarginBalance: asset.marginBalance,
    totalPositionInitialMargin: asset.positionInitialMargin,
    totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
    totalCrossWalletBalance: asset.crossWalletBalance,
    totalCrossUnPnl: asset.crossUnPnl,
    availableBalance: asset.availableBalance,
    maxWithdrawAmount: asset.maxWithdrawAmount,
    assets: [asset],
    positions: positions.map((v) => ({
      symbol: v.symbol,
      initialMargin: money(d(v.initialMargin).plus(v.openOrderInitialMargin).toFixed()),
      maintMargin: money(v.maintMargin),
      unrealizedProfit: money(v.unRealizedProfit),
      positionInitialMargin: money(v.initialMargin),
      openOrderInitialMargin: money(v.openOrderInitialMargin),
      leverage: String(v.leverage),
      isolated: v.marginType === 'ISOLATED',
      entryPrice: atLeast(v.entryPrice, p(v.symbol).price),
      breakEvenPrice: atLeast(v.breakEvenPrice, p(v.symbol).price),
      maxNotional: v.maxNotionalValue,
      bidNotional: '0',
      askNotional: '0',
      positionSide: 'BOTH',
      positionAmt: atLeast(v.positionAmt, p(v.symbol).qty),
      updateTime: v.updateTime,
    })),
  };
}

/** One entry of GET /fapi/v2/balance. */
export function balanceJson(a: AccountView, alias: string): Json {
  return {
    accountAlias: alias,
    asset: a.asset,
    balance: money(a.walletBalance),
    crossWalletBalance: money(a.crossWalletBalance),
    crossUnPnl: money(a.crossUnPnl),
    availableBalance: money(a.availableBalance),
    maxWithdrawAmount: money(a.maxWithdrawAmount),
    marginAvailable: true,
    updateTime: a.updateTime,
  };
}

/** The user-data event (raw listenKey stream payload) for one perpetual event. */
export function perpEventJson(
  e: PerpEvent,
  p: (symbol: string) => PerpPrecision,
  eventTime: number,
): Record<string, Json> {
  switch (e.kind) {
    case 'order': {
      const o = e.order;
      const q = p(o.symbol);
      const f = e.fill;
      return {
        e: 'ORDER_TRADE_UPDATE',
        E: eventTime,
        T: e.time,
        o: {
          s: o.symbol,
          c: o.clientOrderId,
          S: o.side,
          o: o.type,
          f: o.timeInForce,
          q: atLeast(o.origQty, q.qty),
          p: atLeast(o.price, q.price),
          ap: atLeast(o.avgPrice, q.price),
          sp: atLeast(o.stopPrice, q.price),
          x: e.executionType,
          X: o.status,
          i: o.orderId,
          l: atLeast(f?.qty ?? '0', q.qty),
          z: atLeast(o.executedQty, q.qty),
          L: atLeast(f?.price ?? '0', q.price),
          N: f?.commissionAsset ?? 'USDT',
          n: money(f?.commission ?? '0'),
          T: e.time,
          t: f?.tradeId ?? 0,
          b: '0',
          a: '0',
          m: f?.isMaker ?? false,
          R: o.reduceOnly,
          wt: o.workingType,
          ot: o.origType,
          ps: 'BOTH',
          cp: o.closePosition,
          ...(o.activatePrice !== null ? { AP: o.activatePrice } : {}),
          ...(o.priceRate !== null ? { cr: o.priceRate } : {}),
          pP: o.priceProtect,
          si: 0,
          ss: 0,
          rp: money(f?.realizedPnl ?? '0'),
          V: 'EXPIRE_MAKER',
          pm: 'NONE',
          gtd: 0,
          ...(o.expiryReason ? { er: o.expiryReason } : {}),
        },
      };
    }
    case 'algo':
    case 'triggerReject': {
      const a = e.algo;
      const q = p(a.symbol);
      if (e.kind === 'triggerReject')
        return {
          e: 'CONDITIONAL_ORDER_TRIGGER_REJECT',
          E: eventTime,
          T: e.time,
          or: { s: a.symbol, i: a.algoId, r: e.reason },
        };
      return {
        e: 'ALGO_UPDATE',
        T: e.time,
        E: eventTime,
        o: {
          caid: a.clientAlgoId,
          aid: a.algoId,
          at: 'CONDITIONAL',
          o: a.type,
          s: a.symbol,
          S: a.side,
          ps: 'BOTH',
          f: a.timeInForce,
          q: atLeast(a.quantity, q.qty),
          X: a.status,
          ai: a.actualOrderId === null ? '' : String(a.actualOrderId),
          ap: atLeast(a.actualPrice, q.price),
          aq: atLeast(a.executedQty, q.qty),
          act: a.actualOrderId === null ? '0' : a.type === 'STOP' || a.type === 'TAKE_PROFIT' ? 'LIMIT' : 'MARKET',
          tp: atLeast(a.triggerPrice, q.price),
          p: atLeast(a.price, q.price),
          V: 'EXPIRE_MAKER',
          wt: a.workingType,
          pm: 'NONE',
          cp: a.closePosition,
          pP: a.priceProtect,
          R: a.reduceOnly,
          tt: a.triggerTime,
          gtd: 0,
          rm: a.rejectReason ?? '',
        },
      };
    }
    case 'account':
      return {
        e: 'ACCOUNT_UPDATE',
        E: eventTime,
        T: e.time,
        a: {
          m: e.reason,
          B: e.balances.map((b) => ({
            a: b.asset,
            wb: money(b.walletBalance),
            cw: money(b.crossWalletBalance),
            bc: money(b.balanceChange),
          })),
          P: e.positions.map((x) => ({
            s: x.symbol,
            pa: atLeast(x.positionAmount, p(x.symbol).qty),
            ep: atLeast(x.entryPrice, p(x.symbol).price),
            bep: atLeast(x.breakEvenPrice, p(x.symbol).price),
            cr: money(x.accumulatedRealized),
            up: money(x.unrealizedPnL),
            mt: marginType(x.marginType),
            iw: money(x.isolatedWallet),
            ps: 'BOTH',
          })),
        },
      };
    case 'marginCall':
      return {
        e: 'MARGIN_CALL',
        E: eventTime,
        cw: money(e.crossWalletBalance),
        p: e.positions.map((x) => ({
          s: x.symbol,
          ps: 'BOTH',
          pa: atLeast(x.positionAmount, p(x.symbol).qty),
          mt: marginType(x.marginType),
          iw: money(x.isolatedWallet),
          mp: x.markPrice,
          up: money(x.unrealizedPnL),
          mm: money(x.maintenanceMarginRequired),
        })),
      };
    case 'config':
      return { e: 'ACCOUNT_CONFIG_UPDATE', E: eventTime, T: e.time, ac: { s: e.symbol, l: e.leverage } };
  }
}
