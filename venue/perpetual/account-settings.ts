/**
 * Account operations of the simulated perpetual: transfers in and out, leverage, margin type and
 * position mode per symbol, refused with Binance's codes where Binance refuses them. Pure.
 */
import { type Dec, d, str } from '../../core/decimal';
import { PerpErrors } from './errors';
import { accountEvent, addIncome, newCtx, positionOf, setSettings, settingsOf } from './ledger';
import { maxLeverage, maxNotional } from './margin';
import type { PerpCore } from './state';
import type { MarginType, PerpEvent, PerpResult } from './types';
import { accountView, markOf } from './views';

const NONE: readonly PerpEvent[] = Object.freeze([]);

/** Transfer in (positive) or out (negative, at most maxWithdrawAmount). */
export function deposit(
  core: PerpCore,
  id: string,
  asset: string,
  amount: Dec,
  time: number,
): PerpResult<{ events: readonly PerpEvent[] }> {
  const acc = core.accounts.get(id);
  if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
  if (
    d(amount).isNegative() &&
    d(amount)
      .negated()
      .greaterThan(accountView(core, acc, asset).maxWithdrawAmount)
  )
    return { ok: false, ...PerpErrors.withdrawTooMuch() };
  const ctx = newCtx(time);
  const income = addIncome(
    core,
    ctx,
    acc,
    asset,
    '',
    'TRANSFER',
    d(amount),
    d(amount).isNegative() ? 'WITHDRAW' : 'DEPOSIT',
    null,
  );
  accountEvent(core, ctx, acc, d(amount).isNegative() ? 'WITHDRAW' : 'DEPOSIT', [], [income], (s) =>
    markOf(core.symbols.get(s)),
  );
  return { ok: true, events: ctx.events };
}

export function setLeverage(
  core: PerpCore,
  id: string,
  symbol: string,
  leverage: number,
  time: number,
): PerpResult<{ leverage: number; maxNotionalValue: Dec; events: readonly PerpEvent[] }> {
  const sym = core.symbols.get(symbol);
  if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
  const acc = core.accounts.get(id);
  if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > maxLeverage(sym.spec.brackets))
    return { ok: false, ...PerpErrors.invalidLeverage(leverage) };
  const cap = maxNotional(sym.spec.brackets, leverage);
  const pos = positionOf(acc, symbol);
  if (
    d(pos.amount)
      .abs()
      .times(markOf(sym) ?? pos.entryPrice)
      .greaterThan(cap)
  )
    return { ok: false, ...PerpErrors.maxPosition() };
  setSettings(acc, symbol, { ...settingsOf(core, acc, symbol), leverage });
  const events: PerpEvent[] = [{ kind: 'config', accountId: id, time, symbol, leverage }];
  return { ok: true, leverage, maxNotionalValue: str(cap), events };
}

export function setMarginType(
  core: PerpCore,
  id: string,
  symbol: string,
  marginType: MarginType,
): PerpResult<{ events: readonly PerpEvent[] }> {
  const sym = core.symbols.get(symbol);
  if (!sym) return { ok: false, ...PerpErrors.invalidSymbol() };
  const acc = core.accounts.get(id);
  if (!acc) return { ok: false, ...PerpErrors.unknownAccount() };
  const current = settingsOf(core, acc, symbol);
  if (current.marginType === marginType) return { ok: false, ...PerpErrors.noNeedMarginType() };
  if (sym.open.some((o) => o.accountId === id) || sym.algos.some((a) => a.accountId === id))
    return { ok: false, ...PerpErrors.marginTypeOpenOrders() };
  if (positionOf(acc, symbol).amount !== '0') return { ok: false, ...PerpErrors.marginTypePosition() };
  setSettings(acc, symbol, { ...current, marginType });
  return { ok: true, events: NONE };
}

/** One-way mode only: asking for hedge mode is refused, asking for one-way mode is "no need". */
export function setPositionMode(
  core: PerpCore,
  id: string,
  dualSidePosition: boolean,
): PerpResult<Record<never, never>> {
  if (!core.accounts.has(id)) return { ok: false, ...PerpErrors.unknownAccount() };
  return { ok: false, ...(dualSidePosition ? PerpErrors.hedgeModeUnsupported() : PerpErrors.noNeedPositionSide()) };
}
