/**
 * `npm run record -- --db market.db --symbols BTCUSDT,ETHUSDT --intervals 1m,1h [--trades | --agg-trades]
 *   [--depth [levels]] [--depth-every ms] [--http-base url] [--ws-base url] [--seconds n] [--from date]`
 *
 * Streams market data from Binance's public endpoints (no key; or any Binance-compatible server,
 * such as the paper exchange) into the market database, until stopped (Ctrl-C) or for `--seconds`.
 * `npm run record -- --db market.db --status` tells what the database holds.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CANDLE_INTERVALS, type CandleInterval, SYMBOL_PATTERN } from '../../core/market';
import { parseTime } from '../cli-options';
import { MarketDb } from '../db/market-db';
import { Recorder } from './recorder';
import { PublicRest } from './rest';

const USAGE = `usage: npm run record -- --db <market.db> --symbols BTCUSDT[,ETHUSDT] [--intervals 1m[,1h]] [--trades | --agg-trades]
       [--depth [levels]] [--depth-every <ms>] [--http-base <url>] [--ws-base <url>] [--seconds <n>] [--from <date>]
       npm run record -- --db <market.db> --status

  --intervals       klines to record (default 1m)
  --trades          every trade (<sym>@trade; gaps from GET /api/v3/historicalTrades)
  --agg-trades      aggregate trades instead (<sym>@aggTrade; gaps from GET /api/v3/aggTrades)
  --depth [levels]  order-book snapshots of this many levels per side (default 20; above 20 from REST)
  --depth-every     ms between snapshots (default 10000)
  --http-base       default https://api.binance.com     --ws-base  default wss://stream.binance.com:9443
  --from <date>     backfill klines from this date when the database has none yet (else from now)
  --seconds <n>     stop after n seconds (default: run until Ctrl-C / SIGTERM)
`;

export interface RecordIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

/** `--depth` may stand alone: give it its default value. */
function withDepthDefault(argv: readonly string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--depth');
  if (i >= 0 && (i === out.length - 1 || out[i + 1]!.startsWith('--'))) out.splice(i + 1, 0, '20');
  return out;
}

export async function main(argv: readonly string[], io: RecordIo, stopSignal?: AbortSignal): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: withDepthDefault(argv),
      options: {
        db: { type: 'string' },
        symbols: { type: 'string' },
        intervals: { type: 'string' },
        trades: { type: 'boolean' },
        'agg-trades': { type: 'boolean' },
        depth: { type: 'string' },
        'depth-every': { type: 'string' },
        'http-base': { type: 'string' },
        'ws-base': { type: 'string' },
        seconds: { type: 'string' },
        from: { type: 'string' },
        status: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  const fail = (m: string) => {
    io.err(`${m}\n${USAGE}`);
    return 2;
  };
  if (!v.db) return fail('--db is required');
  if (v.status) {
    const db = new MarketDb(v.db, { readonly: true });
    try {
      for (const r of db.summary())
        io.out(
          `${r.table.padEnd(10)} ${r.symbol.padEnd(10)} ${r.detail.padEnd(4)} ${String(r.rows).padStart(9)} rows  ${r.table === 'klines' || r.table === 'depth' ? `${r.from === null ? '' : new Date(r.from).toISOString()} → ${r.to === null ? '' : new Date(r.to).toISOString()}` : `ids ${r.from} → ${r.to}`}\n`,
        );
      for (const g of db.gaps()) io.out(`gap: ${g.kind} ${g.symbol} ${g.detail} ${g.from} → ${g.to}: ${g.reason}\n`);
    } finally {
      db.close();
    }
    return 0;
  }
  const symbols = (v.symbols ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (symbols.length === 0 || symbols.some((s) => !SYMBOL_PATTERN.test(s)))
    return fail('--symbols: Binance spot symbols, such as BTCUSDT,ETHUSDT');
  const intervals = (v.intervals ?? '1m')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const badInterval = intervals.find((i) => !(CANDLE_INTERVALS as readonly string[]).includes(i));
  if (badInterval) return fail(`--intervals: ${badInterval} is not one of ${CANDLE_INTERVALS.join(', ')}`);
  if (v.trades && v['agg-trades']) return fail('give --trades or --agg-trades, not both');
  const depth = v.depth !== undefined ? Number(v.depth) : null;
  if (depth !== null && (!Number.isInteger(depth) || depth < 1 || depth > 5000))
    return fail('--depth: levels per side, 1 to 5000');
  const depthEvery = v['depth-every'] !== undefined ? Number(v['depth-every']) : 10_000;
  if (!Number.isInteger(depthEvery) || depthEvery < 100) return fail('--depth-every: milliseconds, at least 100');
  const seconds = v.seconds !== undefined ? Number(v.seconds) : null;
  if (seconds !== null && !(seconds > 0)) return fail('--seconds: a positive number');
  let from: number | undefined;
  try {
    from = v.from !== undefined ? parseTime(v.from, '--from') : undefined;
  } catch (err) {
    return fail((err as Error).message);
  }
  const db = new MarketDb(v.db);
  const rest = new PublicRest({ httpBase: v['http-base'] ?? 'https://api.binance.com' });
  const recorder = new Recorder(
    {
      wsBase: v['ws-base'] ?? 'wss://stream.binance.com:9443',
      symbols,
      intervals: intervals as CandleInterval[],
      trades: v.trades ? 'raw' : v['agg-trades'] ? 'agg' : null,
      depth,
      depthEveryMs: depthEvery,
      ...(from !== undefined ? { from } : {}),
      log: (m) => io.err(`${new Date().toISOString().slice(11, 19)} ${m}\n`),
    },
    db,
    rest,
  );
  // Stops on the deadline or a signal, also while the first connection is still being tried.
  const stopped = new Promise<void>((resolve) => {
    const done = () => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const timer = seconds !== null ? setTimeout(done, seconds * 1000) : null;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    stopSignal?.addEventListener('abort', done);
    if (stopSignal?.aborted) done();
  });
  try {
    await Promise.race([recorder.start(), stopped]);
    if (recorder.isOpen())
      io.err(
        `recording ${recorder.streams.join(', ')} into ${v.db}${seconds !== null ? ` for ${seconds} s` : ' (Ctrl-C to stop)'}\n`,
      );
    await stopped;
  } finally {
    await recorder.stop();
    db.close();
  }
  const s = recorder.stats;
  io.out(
    `recorded ${s.klines} candles (+${s.klinesBackfilled} backfilled), ${s.trades} trades (+${s.tradesBackfilled} backfilled), ${s.depth} depth snapshots, ${s.gaps} gap(s) left; ${s.connects} connection(s)\n`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  main(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then(
    (code) => {
      process.exitCode = code;
      process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`record failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
