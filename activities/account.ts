/**
 * Account-wide reads for the control API (seed 002's GET app/balance): the spot wallet with each
 * token's free and locked amounts valued in USDT, the liquid USDT and the total. Runs on the
 * worker, which alone holds the account's credentials; the API asks for it through a short
 * workflow (workflows/account.ts). Read-only, safe to retry.
 */
import { ApplicationFailure } from '@temporalio/common';
import { type Dec, add, d, isPositive, str } from '../core/decimal';
import { FailureType, retryableFailure } from './errors';
import type { AccountRegistry } from './exchange-account';

export interface TokenBalance {
  readonly symbol: string;
  readonly freeTokens: Dec;
  readonly lockedTokens: Dec;
  /** null when the exchange lists no <token>USDT price (the token then counts 0 in the total). */
  readonly freeUSDT: Dec | null;
  readonly lockedUSDT: Dec | null;
}

/** Seed 002's balance data: `inTokens`, `liquid` and `totalBalance`, amounts as decimal strings. */
export interface BalanceReport {
  readonly account: string;
  readonly inTokens: readonly TokenBalance[];
  readonly liquid: { readonly asset: 'USDT'; readonly free: Dec; readonly locked: Dec };
  readonly totalBalance: Dec;
  readonly time: number;
}

const QUOTE = 'USDT';

function usdt(amount: Dec, price: Dec | undefined): Dec | null {
  return price === undefined ? null : str(d(amount).times(price).toDecimalPlaces(8));
}

/** The report from the exchange's balances and last prices. Pure. */
export function balanceReport(
  account: string,
  balances: ReadonlyArray<{ asset: string; free: string; locked: string }>,
  prices: Readonly<Record<string, string>>,
  time: number,
): BalanceReport {
  const cash = balances.find((b) => b.asset === QUOTE);
  const inTokens: TokenBalance[] = [];
  let total: Dec = add(cash?.free ?? '0', cash?.locked ?? '0');
  for (const b of balances) {
    if (b.asset === QUOTE || !(isPositive(b.free) || isPositive(b.locked))) continue;
    const symbol = `${b.asset}${QUOTE}`;
    const price = prices[symbol];
    const t: TokenBalance = {
      symbol,
      freeTokens: str(b.free),
      lockedTokens: str(b.locked),
      freeUSDT: usdt(b.free, price),
      lockedUSDT: usdt(b.locked, price),
    };
    total = add(total, add(t.freeUSDT ?? '0', t.lockedUSDT ?? '0'));
    inTokens.push(t);
  }
  return {
    account,
    inTokens: inTokens.sort((a, b) => a.symbol.localeCompare(b.symbol)),
    liquid: { asset: QUOTE, free: str(cash?.free ?? '0'), locked: str(cash?.locked ?? '0') },
    totalBalance: str(d(total).toDecimalPlaces(8)),
    time,
  };
}

export function createAccountActivities(deps: { readonly accounts: AccountRegistry }) {
  return {
    async accountBalance(input: { account: string }): Promise<BalanceReport> {
      let acc;
      try {
        acc = deps.accounts.get(input.account);
      } catch (err) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidRequest,
          nonRetryable: true,
          message: (err as Error).message,
        });
      }
      try {
        const [info, prices] = await Promise.all([
          acc.call('account', 20, (r) => r.accountInfo()),
          acc.call('ticker/price', 4, (r) => (r as unknown as { prices(): Promise<Record<string, string>> }).prices()),
        ]);
        return balanceReport(acc.name, info.balances, prices, Date.now());
      } catch (err) {
        const c = acc.classify(err);
        if (c.kind === 'rejected')
          throw ApplicationFailure.create({
            type: FailureType.InvalidRequest,
            nonRetryable: true,
            message: `balance of ${acc.name} refused (${c.code}): ${c.message}`,
          });
        throw retryableFailure(FailureType.Unreachable, `balance of ${acc.name} failed (${c.code}): ${c.message}`);
      }
    },
  };
}
