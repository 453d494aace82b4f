/**
 * Public market data for the dashboard's charts: klines and the symbol list of an account's
 * exchange, read from its public REST endpoints (no API key: the control API never holds exchange
 * credentials; signed reads such as the balance go through the worker, see client/control.ts).
 *
 * The endpoints come from the same settings as the worker's accounts (`ACCOUNT_<NAME>_HTTP_BASE`,
 * the seeds' `BINANCE_API_*`), reading the base URL only.
 */
import Binance from 'binance-api-node';
import { candleFromRaw } from '../activities/mapping';
import type { BinanceRest, RawCandle } from '../activities/binance-types';
import type { Candle, CandleInterval } from '../core/market';

const BINANCE_PROD = 'https://api.binance.com';
const BINANCE_TESTNET = 'https://testnet.binance.vision';
const TIMEOUT_MS = 8_000;
const SYMBOLS_CACHE_MS = 10 * 60_000;

/** account name -> public REST base, from the worker's environment variables (keys are not read). */
export function publicEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of (env.BOT_ACCOUNTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const base = env[`ACCOUNT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_HTTP_BASE`];
    if (base) out[name] = base;
  }
  if (env.BINANCE_API_KEY && !out.binance)
    out.binance = ['true', '1', 'yes'].includes(String(env.BINANCE_API_TEST)) ? BINANCE_TESTNET : BINANCE_PROD;
  return out;
}

export class MarketDataError extends Error {
  override name = 'MarketDataError';
}

async function withTimeout<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new MarketDataError(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class PublicMarkets {
  private readonly clients = new Map<string, BinanceRest>();
  private readonly symbols = new Map<string, { at: number; list: Promise<Set<string>> }>();

  constructor(private readonly endpoints: Readonly<Record<string, string>>) {}

  /** Accounts the API knows the exchange of (an empty list means: do not check accounts). */
  accounts(): string[] {
    return Object.keys(this.endpoints).sort();
  }

  private rest(account: string): BinanceRest {
    const base = this.endpoints[account];
    if (!base)
      throw new MarketDataError(
        `no exchange endpoint known for account "${account}" (known: ${this.accounts().join(', ') || 'none'})`,
      );
    let c = this.clients.get(account);
    if (!c) {
      c = Binance({ httpBase: base }) as unknown as BinanceRest;
      this.clients.set(account, c);
    }
    return c;
  }

  async candles(
    account: string,
    symbol: string,
    interval: CandleInterval,
    limit: number,
    endTime?: number,
  ): Promise<Candle[]> {
    try {
      const raw = await withTimeout<RawCandle[]>(
        'klines',
        Promise.resolve().then(() =>
          this.rest(account).candles({ symbol, interval, limit, ...(endTime !== undefined ? { endTime } : {}) }),
        ),
      );
      return raw.map((c) => candleFromRaw(symbol, interval, c));
    } catch (err) {
      if (err instanceof MarketDataError) throw err;
      throw new MarketDataError(`klines of ${symbol} on account ${account}: ${(err as Error).message}`);
    }
  }

  /** Whether the account's exchange lists the symbol (null: the exchange could not be asked). */
  async hasSymbol(account: string, symbol: string): Promise<boolean | null> {
    if (!this.endpoints[account]) return null;
    const now = Date.now();
    let hit = this.symbols.get(account);
    if (!hit || now - hit.at > SYMBOLS_CACHE_MS) {
      const list = withTimeout(
        'exchangeInfo',
        Promise.resolve().then(() => this.rest(account).exchangeInfo()),
      ).then((info) => new Set(info.symbols.map((s) => s.symbol)));
      hit = { at: now, list };
      this.symbols.set(account, hit);
      list.catch(() => this.symbols.delete(account));
    }
    try {
      return (await hit.list).has(symbol);
    } catch {
      return null;
    }
  }
}
