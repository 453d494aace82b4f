/**
 * Can this bot trade at all? Asked of the worker that would run it, before it starts (the CLI runs
 * it through the short `botPreflightWorkflow`) and by the bot itself as its first step. Only this
 * worker knows which accounts it has, and only the exchange knows the symbol, the key and the
 * filters. Definite answers come back as problems (the bot is refused or BLOCKED); a check that
 * could not be made (exchange unreachable) throws a retryable failure, so "cannot tell" is never
 * mistaken for "cannot trade".
 */
import type { BotDefinition } from '../core/bot-definition';
import type { Dec } from '../core/decimal';
import type { SymbolFilters } from '../core/market';
import { findStrategy } from '../core/strategies';
import { tradabilityProblems } from '../core/tradability';
import { FailureType, retryableFailure } from './errors';
import type { AccountRegistry, ExchangeAccount } from './exchange-account';
import { filtersFromExchangeInfo } from './mapping';
import { filtersFromFuturesInfo } from './futures-mapping';
import type { FuturesRest, RawFuturesExchangeInfo } from './futures-types';
import { POSITION_MODE_WEIGHT, positionModeProblem } from './futures-position-mode';

export type PreflightProblemKind = 'account' | 'symbol' | 'credentials' | 'filters';

export interface PreflightProblem {
  readonly kind: PreflightProblemKind;
  /** The definition field to change: "account", "symbol", "params.quantity", ... */
  readonly field: string;
  readonly message: string;
}

export interface PreflightResult {
  readonly problems: readonly PreflightProblem[];
  readonly filters: SymbolFilters | null;
  /** Filters of the other symbols a multi-symbol strategy trades. */
  readonly otherFilters: Readonly<Record<string, SymbolFilters>>;
  readonly price: Dec | null;
}

export interface PreflightInput {
  readonly definition: Pick<BotDefinition, 'name' | 'strategy' | 'symbol' | 'account' | 'params'> &
    Partial<Pick<BotDefinition, 'market'>>;
}

export interface PreflightDeps {
  readonly accounts: AccountRegistry;
}

type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly type: string };

export function createPreflightActivities(deps: PreflightDeps) {
  /** A definite refusal comes back as an answer; anything uncertain is thrown for Temporal to retry. */
  async function ask<T>(
    acc: ExchangeAccount,
    what: string,
    weight: number,
    fn: Parameters<ExchangeAccount['call']>[2],
  ): Promise<Answer<T>> {
    try {
      return { ok: true, value: (await acc.call(what, weight, fn)) as T };
    } catch (err) {
      const c = acc.classify(err, what);
      if (c.kind === 'rejected') return { ok: false, code: c.code, message: c.message, type: c.type };
      throw retryableFailure(
        c.kind === 'notSent' && c.rateLimited ? FailureType.RateLimited : FailureType.Unreachable,
        `${what} failed (${c.code}): ${c.message}`,
        c.kind === 'notSent' ? c.retryAfterMs : undefined,
      );
    }
  }

  async function symbolFilters(
    acc: ExchangeAccount,
    symbol: string,
    field: string,
    problems: PreflightProblem[],
  ): Promise<SymbolFilters | null> {
    const info = await ask<Awaited<ReturnType<ExchangeAccount['rest']['exchangeInfo']>>>(acc, 'exchangeInfo', 20, (r) =>
      r.exchangeInfo({ symbol }),
    );
    if (!info.ok) {
      problems.push({
        kind: 'symbol',
        field,
        message: `${symbol} is not a symbol of account "${acc.name}"'s exchange (${info.code}: ${info.message})`,
      });
      return null;
    }
    const listed = info.value.symbols.find((s) => s.symbol === symbol);
    if (!listed) {
      problems.push({ kind: 'symbol', field, message: `${symbol} is not listed on account "${acc.name}"'s exchange` });
      return null;
    }
    if (listed.status !== 'TRADING')
      problems.push({
        kind: 'symbol',
        field,
        message: `${symbol} is not trading on the exchange (status ${listed.status})`,
      });
    return filtersFromExchangeInfo(info.value, symbol);
  }

  async function perpFilters(
    acc: ExchangeAccount,
    symbol: string,
    problems: PreflightProblem[],
  ): Promise<SymbolFilters | null> {
    const info = await ask<RawFuturesExchangeInfo>(acc, 'futures exchangeInfo', 1, (r) =>
      (r as unknown as FuturesRest).futuresExchangeInfo(),
    );
    if (!info.ok || !info.value.symbols.some((s) => s.symbol === symbol)) {
      problems.push({
        kind: 'symbol',
        field: 'symbol',
        message: `${symbol} is not a USDⓈ-M perpetual of account "${acc.name}"'s exchange${info.ok ? '' : ` (${info.code}: ${info.message})`}`,
      });
      return null;
    }
    return filtersFromFuturesInfo(info.value, symbol);
  }

  return {
    async preflightBot(input: PreflightInput): Promise<PreflightResult> {
      const { definition } = input;
      const problems: PreflightProblem[] = [];
      let acc: ExchangeAccount;
      try {
        acc = deps.accounts.get(definition.account);
      } catch (err) {
        return {
          problems: [{ kind: 'account', field: 'account', message: (err as Error).message }],
          filters: null,
          otherFilters: {},
          price: null,
        };
      }
      // A futures bot's filters are the perpetual's (lot 0.001 BTC, notional 5 USDT), not spot's.
      const futures = definition.market === 'futures';
      const filters = futures
        ? await perpFilters(acc, definition.symbol, problems)
        : await symbolFilters(acc, definition.symbol, 'symbol', problems);
      if (futures) {
        // Hedge mode: the bot's one-way orders would all be refused and its position unseen.
        const mode = await ask<{ dualSidePosition?: unknown }>(
          acc,
          'futures positionSide/dual',
          POSITION_MODE_WEIGHT,
          (r) => (r as unknown as FuturesRest).futuresPositionMode(),
        );
        const problem = positionModeProblem(acc.name, mode);
        if (problem) problems.push(problem);
      }
      const strategy = findStrategy(definition.strategy);
      const otherFilters: Record<string, SymbolFilters> = {};
      let extra: readonly string[] = [];
      try {
        extra = (strategy?.extraSymbols?.(definition.params) ?? []).filter((s) => s !== definition.symbol);
      } catch {
        extra = [];
      }
      for (const symbol of extra) {
        const f = await symbolFilters(acc, symbol, 'params.symbols', problems);
        if (f) otherFilters[symbol] = f;
      }
      // A signed call: is the key accepted, and may it trade?
      const account = await ask<{ canTrade?: boolean }>(acc, 'account', 20, (r) => r.accountInfo());
      if (!account.ok) {
        const kind = account.type === FailureType.CredentialsRejected ? 'credentials' : 'account';
        problems.push({
          kind,
          field: 'account',
          message: `the exchange refused account "${acc.name}"'s API key (${account.code}: ${account.message}); check its key, secret and IP allow-list`,
        });
      } else if (account.value.canTrade === false) {
        problems.push({
          kind: 'credentials',
          field: 'account',
          message: `account "${acc.name}"'s API key may not trade (canTrade is false): enable spot trading for it`,
        });
      }
      // The last price values the fixed sizes (the forming candle's close is the last trade).
      let price: Dec | null = null;
      if (filters) {
        const candles = await ask<Array<{ close: string }>>(acc, 'klines', 2, (r) =>
          r.candles({ symbol: definition.symbol, interval: '1m', limit: 1 }),
        );
        const close = candles.ok ? candles.value.at(-1)?.close : undefined;
        price = close !== undefined && Number(close) > 0 ? close : null;
        for (const p of tradabilityProblems(definition, filters, price))
          problems.push({ kind: 'filters', field: p.field, message: p.message });
      }
      return { problems, filters, otherFilters, price };
    },
  };
}

export type PreflightActivities = ReturnType<typeof createPreflightActivities>;
