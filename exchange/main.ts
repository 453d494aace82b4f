/**
 * `npm run exchange` — run the paper exchange as its own process on 127.0.0.1.
 *
 * Environment (all optional):
 *   PAPER_PORT            port (default 8765; 0 = any free port)
 *   PAPER_STATE           state file (default data/paper-exchange.json; "" = in memory)
 *   PAPER_API_KEY / PAPER_API_SECRET   the account's credentials (default paper-api-key / paper-api-secret)
 *   PAPER_BALANCES        initial balances of a new account, e.g. "USDT=10000,BTC=0.5"
 *   PAPER_FUTURES_BALANCES  its USDⓈ-M futures wallet (default "USDT=10000")
 *   PAPER_FUNDING_MS      funding period of the perpetuals (default 8 h = 28800000)
 *   PAPER_PRICES          random-walk (default) | manual | mirror | replay:<file>
 *   PAPER_SEED, PAPER_TICK_MS          random-walk seed (42) and tick period (1000)
 *   PAPER_ADMIN           "on" enables the admin endpoints (off by default) behind a token printed
 *                         once and written to PAPER_ADMIN_TOKEN_FILE (default
 *                         data/paper-exchange.admin-token, mode 600)
 *   PAPER_BOOK            "zero-spread" for bid = ask = last with unlimited depth (default: the
 *                         realistic book); PAPER_SPREAD_TICKS and PAPER_BOOK_LEVELS adjust it
 *   PAPER_RATE_LIMITS     "off" disables Binance's request-weight and order-count limits (benchmarks)
 *   PAPER_RECORD_DEPTH    append depth snapshots to this file for backtests of book strategies
 *                         (npm run backtest -- --depth <file>); PAPER_RECORD_DEPTH_MS period (10000)
 */
import path from 'node:path';
import type { Dec } from '../core/decimal';
import type { BookModel } from '../venue';
import { type PriceSourceOptions, ZERO_SPREAD_BOOK, startPaperExchange } from './index';

function balancesFrom(spec: string | undefined): Record<string, Dec> {
  if (!spec) return { USDT: '10000', BTC: '0', ETH: '0', BNB: '0' };
  return Object.fromEntries(spec.split(',').map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
}

function pricesFrom(spec: string | undefined): PriceSourceOptions {
  if (!spec || spec === 'random-walk')
    return {
      kind: 'random-walk',
      seed: Number(process.env.PAPER_SEED ?? 42),
      tickMs: Number(process.env.PAPER_TICK_MS ?? 1000),
    };
  if (spec === 'manual') return { kind: 'manual' };
  if (spec === 'mirror') return { kind: 'mirror' };
  if (spec.startsWith('replay:')) return { kind: 'replay', file: spec.slice('replay:'.length) };
  throw new Error(`PAPER_PRICES: unknown source ${spec}`);
}

function bookFrom(env: NodeJS.ProcessEnv): Partial<BookModel> | undefined {
  const base: Partial<BookModel> = env.PAPER_BOOK === 'zero-spread' ? ZERO_SPREAD_BOOK : {};
  if (env.PAPER_BOOK !== undefined && env.PAPER_BOOK !== 'zero-spread' && env.PAPER_BOOK !== 'realistic')
    throw new Error(`PAPER_BOOK: unknown book ${env.PAPER_BOOK}`);
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = env[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name}: an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
  const spreadTicks = int('PAPER_SPREAD_TICKS', 0, 10_000);
  const levels = int('PAPER_BOOK_LEVELS', 1, 5000);
  const book = {
    ...base,
    ...(spreadTicks !== undefined ? { spreadTicks } : {}),
    ...(levels !== undefined ? { levels } : {}),
  };
  return Object.keys(book).length > 0 ? book : undefined;
}

async function main(): Promise<void> {
  const apiKey = process.env.PAPER_API_KEY ?? 'paper-api-key';
  const apiSecret = process.env.PAPER_API_SECRET ?? 'paper-api-secret';
  const stateFile = process.env.PAPER_STATE ?? path.join('data', 'paper-exchange.json');
  const adminOn = process.env.PAPER_ADMIN === 'on';
  const tokenFile = process.env.PAPER_ADMIN_TOKEN_FILE ?? path.join('data', 'paper-exchange.admin-token');
  const ex = await startPaperExchange({
    port: Number(process.env.PAPER_PORT ?? 8765),
    ...(stateFile !== '' ? { stateFile } : {}),
    accounts: [
      {
        apiKey,
        apiSecret,
        balances: balancesFrom(process.env.PAPER_BALANCES),
        futuresBalances: process.env.PAPER_FUTURES_BALANCES
          ? balancesFrom(process.env.PAPER_FUTURES_BALANCES)
          : { USDT: '10000' },
        name: 'paper',
      },
    ],
    ...(process.env.PAPER_FUNDING_MS ? { futures: { fundingIntervalMs: Number(process.env.PAPER_FUNDING_MS) } } : {}),
    prices: pricesFrom(process.env.PAPER_PRICES),
    ...(process.env.PAPER_RATE_LIMITS === 'off' ? { rateLimits: false as const } : {}),
    admin: { enabled: adminOn, tokenFile },
    ...(bookFrom(process.env) ? { book: bookFrom(process.env) } : {}),
    ...(process.env.PAPER_RECORD_DEPTH
      ? {
          depthRecording: {
            file: process.env.PAPER_RECORD_DEPTH,
            everyMs: Number(process.env.PAPER_RECORD_DEPTH_MS ?? 10_000),
          },
        }
      : {}),
  });
  console.log('paper exchange listening');
  console.log(`  httpBase  ${ex.httpBase}`);
  console.log(`  wsBase    ${ex.wsBase}`);
  console.log(`  wsApi     ${ex.wsApi}`);
  console.log(`  futures   httpFutures ${ex.httpBase}  wsFutures ${ex.futures.wsFutures}`);
  if (ex.admin.token) {
    console.log(`  admin     ${ex.httpBase}/admin/status  (Authorization: Bearer <token>)`);
    console.log(`  admin token ${ex.admin.token}  (new at every start; also in ${tokenFile}, mode 600)`);
  } else {
    console.log('  admin     off (PAPER_ADMIN=on to enable)');
  }
  console.log(`  apiKey    ${apiKey}`);
  console.log(`  apiSecret ${apiSecret}`);
  console.log(`  state     ${stateFile || '(in memory)'}`);
  if (process.env.PAPER_RECORD_DEPTH) console.log(`  depth     recorded to ${process.env.PAPER_RECORD_DEPTH}`);
  const stop = async () => {
    await ex.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
