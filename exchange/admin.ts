/**
 * Admin HTTP endpoints (JSON in, JSON out) mirroring the in-process API, for tests and tools that
 * drive the exchange from another process. No authentication: the server binds 127.0.0.1 only.
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
 *   POST   /admin/accounts         {apiKey, apiSecret, balances?, name?}
 *   POST   /admin/deposit          {apiKey, asset, amount}
 *   POST   /admin/save
 */
import { d, str } from '../core/decimal';
import { CANDLE_INTERVALS, type CandleInterval } from '../core/market';
import type { FaultRule } from './faults';
import type { Json } from './format';
import type { PaperExchange } from './server';

export async function handleAdmin(ex: PaperExchange, path: string, method: string, query: string, body: string): Promise<{ status: number; body: Json }> {
  const q = new URLSearchParams(query);
  let input: Record<string, unknown> = {};
  if (body.trim() !== '') {
    try {
      input = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { status: 400, body: { error: 'body must be JSON' } };
    }
  }
  const ok = (b: unknown) => ({ status: 200, body: JSON.parse(JSON.stringify(b ?? {})) as Json });
  const bad = (msg: string) => ({ status: 400, body: { error: msg } });
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /admin/status':
        return ok({
          httpBase: ex.httpBase,
          wsBase: ex.wsBase,
          wsApi: ex.wsApi,
          symbols: ex.venue.symbols().map((s) => s.filters.symbol),
          prices: Object.fromEntries(ex.venue.symbols().map((s) => [s.filters.symbol, ex.market.price(s.filters.symbol)])),
          frozen: ex.faults.isFrozen(),
          faults: ex.faults.list(),
          stats: ex.stats(),
        });
      case 'GET /admin/faults':
        return ok(ex.faults.list());
      case 'POST /admin/faults':
        return ok({ id: ex.faults.add(input as unknown as FaultRule) });
      case 'DELETE /admin/faults':
        ex.faults.clear();
        return ok({});
      case 'POST /admin/cut':
        return ok({ cut: ex.faults.cutConnections((input.which as 'market' | 'user' | 'all' | undefined) ?? 'all') });
      case 'POST /admin/shutdown':
        return ok({ closed: ex.faults.serverShutdown() });
      case 'POST /admin/freeze':
        ex.faults.freeze(typeof input.ms === 'number' ? input.ms : undefined);
        return ok({});
      case 'POST /admin/unfreeze':
        ex.faults.unfreeze();
        return ok({});
      case 'GET /admin/audit':
        return ok({ summary: ex.audit.summary(), clientIds: ex.audit.clientIds(), problems: ex.audit.check(ex.venue) });
      case 'GET /admin/audit/requests':
        return ok(ex.audit.requests({ ...(q.get('clientOrderId') ? { clientOrderId: q.get('clientOrderId') as string } : {}) }));
      case 'GET /admin/audit/fills':
        return ok(ex.audit.fills({ ...(q.get('clientOrderId') ? { clientOrderId: q.get('clientOrderId') as string } : {}) }));
      case 'GET /admin/audit/balances':
        return ok(ex.audit.balanceChanges({ ...(q.get('accountId') ? { accountId: q.get('accountId') as string } : {}) }));
      case 'POST /admin/price':
        if (typeof input.symbol !== 'string' || typeof input.price !== 'string') return bad('symbol and price (string) are required');
        ex.market.setPrice(input.symbol, input.price, { qty: typeof input.qty === 'string' ? input.qty : null });
        return ok({ price: ex.market.price(input.symbol) });
      case 'POST /admin/burst': {
        const count = Number(input.count);
        if (typeof input.symbol !== 'string' || !Number.isInteger(count) || count < 1 || count > 1_000_000) return bad('symbol and count (1..1e6) are required');
        const base = d(typeof input.price === 'string' ? input.price : (ex.market.price(input.symbol) ?? '100'));
        const step = d(typeof input.step === 'string' ? input.step : '0.01');
        for (let i = 0; i < count; i++) ex.market.setPrice(input.symbol, str(i % 2 === 0 ? base.plus(step) : base), { qty: '0.001' });
        return ok({ trades: count });
      }
      case 'POST /admin/candle/close': {
        if (typeof input.symbol !== 'string' || !(CANDLE_INTERVALS as readonly string[]).includes(String(input.interval))) return bad('symbol and a valid interval are required');
        return ok(ex.market.closeCandle(input.symbol, input.interval as CandleInterval));
      }
      case 'POST /admin/replay/next':
        return ok({ played: ex.market.replayNext() });
      case 'POST /admin/accounts': {
        if (typeof input.apiKey !== 'string' || typeof input.apiSecret !== 'string') return bad('apiKey and apiSecret are required');
        const entry = ex.accounts.add({
          apiKey: input.apiKey,
          apiSecret: input.apiSecret,
          ...(input.balances ? { balances: input.balances as Record<string, string> } : {}),
          ...(typeof input.name === 'string' ? { name: input.name } : {}),
        });
        return ok({ name: entry.name });
      }
      case 'POST /admin/deposit':
        if (typeof input.apiKey !== 'string' || typeof input.asset !== 'string' || typeof input.amount !== 'string') return bad('apiKey, asset and amount (string) are required');
        ex.accounts.deposit(input.apiKey, input.asset, input.amount);
        return ok({});
      case 'POST /admin/save':
        ex.save();
        return ok({});
      default: {
        const m = /^DELETE \/admin\/faults\/(\d+)$/.exec(route);
        if (m) return ok({ removed: ex.faults.remove(Number(m[1])) });
        return { status: 404, body: { error: `unknown admin endpoint ${route}` } };
      }
    }
  } catch (e) {
    return bad((e as Error).message);
  }
}
