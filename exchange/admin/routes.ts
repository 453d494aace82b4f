/**
 * Admin HTTP endpoints (JSON in, JSON out) mirroring the in-process API, for tests and tools that
 * drive the exchange from another process. Off unless enabled; every call needs the admin token
 * and a loopback Host/Origin (guard.ts); every body is checked against a strict schema
 * (schemas.ts) before anything changes.
 *
 *   GET    /admin/status                         URLs, symbols, prices, frozen, active faults, connections
 *   GET    /admin/faults                         active fault rules
 *   POST   /admin/faults           {rule}        add a rule (see faults.ts) → {id}
 *   DELETE /admin/faults                         remove all rules, thaw, release held events
 *   DELETE /admin/faults/<id>                    remove one rule
 *   POST   /admin/cut              {which?}      cut WebSocket connections: 'market' | 'user' | 'all'
 *   POST   /admin/shutdown                      serverShutdown event, then close every WebSocket
 *   POST   /admin/freeze           {ms?}         freeze everything (until unfreeze, or for ms)
 *   POST   /admin/unfreeze
 *   GET    /admin/audit                          summary, per-client-id stats, problems (check)
 *   GET    /admin/audit/requests[?clientOrderId=]
 *   GET    /admin/audit/fills[?clientOrderId=]
 *   GET    /admin/audit/balances[?accountId=]
 *   POST   /admin/price            {symbol, price, qty?}   trade at a price now
 *   POST   /admin/burst            {symbol, count, price?, step?}  load generator: `count` trades
 *                                  alternating around `price` (benchmarks)
 *   POST   /admin/candle/close     {symbol, interval}
 *   POST   /admin/replay/next
 *   POST   /admin/accounts         {apiKey, apiSecret, balances?, futuresBalances?, name?}  a new account (never a
 *                                  second key on an existing one)
 *   POST   /admin/deposit          {apiKey, asset, amount}      amount > 0 (a balanceUpdate event)
 *   POST   /admin/withdraw         {apiKey, asset, amount}      amount > 0, at most the free balance
 *   POST   /admin/save
 *   POST   /admin/futures/mark     {symbol, price | null}  pin the perpetual's mark price (null: follow the contract)
 *   POST   /admin/futures/funding  {symbol, rate}         the funding rate from now on
 *   POST   /admin/futures/deposit  {apiKey, asset, amount}  into the account's futures wallet
 *   GET    /admin/futures/audit                           problems of the futures side (check)
 */
import { d, str } from '../../core/decimal';
import type { CandleInterval } from '../../core/market';
import type { z } from 'zod';
import type { FaultRule } from '../faults';
import type { Json } from '../format';
import type { PaperExchange } from '../server';
import {
  accountBody,
  auditQuery,
  burstBody,
  candleCloseBody,
  cutBody,
  emptyBody,
  faultRule,
  freezeBody,
  fundingBody,
  issues,
  markBody,
  priceBody,
  transferBody,
} from './schemas';

export interface AdminAnswer {
  readonly status: number;
  readonly body: Json;
}

class BadInput extends Error {
  constructor(
    msg: string,
    readonly status = 400,
  ) {
    super(msg);
  }
}

/** Route one admin request (the guard in guard.ts has already checked who sent it). */
export async function handleAdmin(
  ex: PaperExchange,
  path: string,
  method: string,
  query: string,
  body: string,
): Promise<AdminAnswer> {
  const q = new URLSearchParams(query);
  let input: unknown = {};
  if (body.trim() !== '') {
    try {
      input = JSON.parse(body);
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
  }
  const ok = (b: unknown): AdminAnswer => ({ status: 200, body: JSON.parse(JSON.stringify(b ?? {})) as Json });
  const parse = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new BadInput(issues(r.error));
    return r.data;
  };
  const knownSymbol = (symbol: string): string => {
    if (!ex.venue.symbol(symbol))
      throw new BadInput(
        `symbol: unknown symbol ${symbol}; known: ${ex.venue
          .symbols()
          .map((s) => s.filters.symbol)
          .join(', ')}`,
      );
    return symbol;
  };
  const withinPriceFilter = (symbol: string, price: string): string => {
    const max = ex.venue.symbol(symbol)?.filters.maxPrice ?? '0';
    if (d(max).greaterThan(0) && d(price).greaterThan(max))
      throw new BadInput(`price: above the symbol's maxPrice ${max}`);
    return price;
  };
  const optionalQuery = (name: 'clientOrderId' | 'accountId'): Record<string, string> => {
    const v = q.get(name);
    if (v === null) return {};
    if (!auditQuery[name].safeParse(v).success) throw new BadInput(`${name}: not a valid ${name}`);
    return { [name]: v };
  };
  const account = (apiKey: string) => {
    if (!ex.accounts.list().some((a) => a.apiKey === apiKey)) throw new BadInput('apiKey: unknown API key', 404);
    return apiKey;
  };
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /admin/status':
        return ok({
          httpBase: ex.httpBase,
          wsBase: ex.wsBase,
          wsApi: ex.wsApi,
          wsFutures: ex.futures.wsFutures,
          symbols: ex.venue.symbols().map((s) => s.filters.symbol),
          prices: Object.fromEntries(
            ex.venue.symbols().map((s) => [s.filters.symbol, ex.market.price(s.filters.symbol)]),
          ),
          frozen: ex.faults.isFrozen(),
          faults: ex.faults.list(),
          stats: ex.stats(),
        });
      case 'GET /admin/faults':
        return ok(ex.faults.list());
      case 'POST /admin/faults':
        return ok({ id: ex.faults.add(parse(faultRule, input) as FaultRule) });
      case 'DELETE /admin/faults':
        ex.faults.clear();
        return ok({});
      case 'POST /admin/cut':
        return ok({ cut: ex.faults.cutConnections(parse(cutBody, input).which ?? 'all') });
      case 'POST /admin/shutdown':
        parse(emptyBody, input);
        return ok({ closed: ex.faults.serverShutdown() });
      case 'POST /admin/freeze':
        ex.faults.freeze(parse(freezeBody, input).ms);
        return ok({});
      case 'POST /admin/unfreeze':
        parse(emptyBody, input);
        ex.faults.unfreeze();
        return ok({});
      case 'GET /admin/audit':
        return ok({ summary: ex.audit.summary(), clientIds: ex.audit.clientIds(), problems: ex.audit.check(ex.venue) });
      case 'GET /admin/audit/requests':
        return ok(ex.audit.requests(optionalQuery('clientOrderId')));
      case 'GET /admin/audit/fills':
        return ok(ex.audit.fills(optionalQuery('clientOrderId')));
      case 'GET /admin/audit/balances':
        return ok(ex.audit.balanceChanges(optionalQuery('accountId')));
      case 'POST /admin/price': {
        const b = parse(priceBody, input);
        const symbol = knownSymbol(b.symbol);
        ex.market.setPrice(symbol, withinPriceFilter(symbol, b.price), { qty: b.qty ?? null });
        return ok({ price: ex.market.price(symbol) });
      }
      case 'POST /admin/burst': {
        const b = parse(burstBody, input);
        const symbol = knownSymbol(b.symbol);
        const base = d(b.price ?? ex.market.price(symbol) ?? '100');
        const step = d(b.step ?? '0.01');
        withinPriceFilter(symbol, str(base.plus(step)));
        for (let i = 0; i < b.count; i++)
          ex.market.setPrice(symbol, str(i % 2 === 0 ? base.plus(step) : base), { qty: '0.001' });
        return ok({ trades: b.count });
      }
      case 'POST /admin/candle/close': {
        const b = parse(candleCloseBody, input);
        return ok(ex.market.closeCandle(knownSymbol(b.symbol), b.interval as CandleInterval));
      }
      case 'POST /admin/replay/next':
        parse(emptyBody, input);
        return ok({ played: ex.market.replayNext() });
      case 'POST /admin/accounts': {
        const b = parse(accountBody, input);
        const existing = ex.accounts.list();
        if (existing.some((a) => a.apiKey === b.apiKey)) throw new BadInput('apiKey: already in use', 409);
        // A second key on an existing account would give it full access to that account's funds.
        if (b.name !== undefined && existing.some((a) => a.name === b.name))
          throw new BadInput(`name: account ${b.name} already exists`, 409);
        const entry = ex.accounts.add({
          apiKey: b.apiKey,
          apiSecret: b.apiSecret,
          ...(b.balances ? { balances: b.balances } : {}),
          ...(b.futuresBalances ? { futuresBalances: b.futuresBalances } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
        });
        return ok({ name: entry.name });
      }
      case 'POST /admin/deposit': {
        const b = parse(transferBody, input);
        ex.accounts.deposit(account(b.apiKey), b.asset, b.amount);
        return ok({});
      }
      case 'POST /admin/withdraw': {
        const b = parse(transferBody, input);
        ex.accounts.deposit(account(b.apiKey), b.asset, str(d(b.amount).negated()));
        return ok({});
      }
      case 'POST /admin/futures/mark': {
        const b = parse(markBody, input);
        if (!ex.futures.perp.symbol(b.symbol)) throw new BadInput(`symbol: ${b.symbol} is not a perpetual here`);
        ex.futures.setMarkPrice(b.symbol, b.price);
        return ok({ markPrice: ex.futures.perp.markPrice(b.symbol) });
      }
      case 'POST /admin/futures/funding': {
        const b = parse(fundingBody, input);
        if (!ex.futures.perp.symbol(b.symbol)) throw new BadInput(`symbol: ${b.symbol} is not a perpetual here`);
        ex.futures.setFundingRate(b.symbol, b.rate);
        return ok({ fundingRate: ex.futures.perp.market(b.symbol)?.fundingRate ?? null });
      }
      case 'POST /admin/futures/deposit': {
        const b = parse(transferBody, input);
        ex.futures.deposit(ex.accounts.accountId(account(b.apiKey)), b.asset, b.amount);
        return ok({});
      }
      case 'GET /admin/futures/audit':
        return ok({ problems: ex.futures.audit.check(ex.futures.perp) });
      case 'POST /admin/save':
        parse(emptyBody, input);
        ex.save();
        return ok({});
      default: {
        const m = /^DELETE \/admin\/faults\/(\d{1,9})$/.exec(route);
        if (m) return ok({ removed: ex.faults.remove(Number(m[1])) });
        return { status: 404, body: { error: `unknown admin endpoint ${route.slice(0, 200)}` } };
      }
    }
  } catch (e) {
    return { status: e instanceof BadInput ? e.status : 400, body: { error: (e as Error).message } };
  }
}
