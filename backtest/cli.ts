/**
 * `npm run backtest -- --strategy <id> --file <klines> [--params '<json>' | --params-file f] ...`
 *
 * Runs a registered strategy over a kline file, prints a summary (with a progress bar on long runs
 * when the terminal shows one) and writes a JSON result and a standalone HTML report.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CANDLE_INTERVALS, type Candle, type CandleInterval } from '../core/market';
import { STOP_POLICIES, type StopPolicy } from '../core/kernel';
import { riskConfigSchema } from '../core/risk/guard';
import { findStrategy, strategyIds } from '../core/strategies';
import { isDecimalString } from '../core/decimal';
import { checkBotDefinition } from '../core/bot-definition';
import { KlineFileError, intervalFromFileName, loadKlines, loadKlinesFromDb } from './data';
import { BacktestError, type BacktestResult, runBacktest } from './engine';
import { reportHtml } from './html';
import { type FuturesBacktestResult, runFuturesBacktest } from './futures-run';
import { progressBar, summaryText } from './report';
import { DepthRecordingError, type RecordedBook, parseDepthRecording } from '../core/analysis/book-replay';
import { withLocalData } from '../core/strategies/seed/local-data';
import { recordedBookResolver } from './depth-data';
import { MarketDb, type MarketDbError, isSqliteFile } from './db/market-db';

/** Depth snapshots of a market database (all symbols unless one is given). */
function depthFromDb(file: string, symbol?: string): RecordedBook[] {
  let db: MarketDb;
  try {
    db = new MarketDb(file, { readonly: true });
  } catch (err) {
    throw new DepthRecordingError((err as MarketDbError).message);
  }
  try {
    return db.depth(symbol);
  } finally {
    db.close();
  }
}

const USAGE = `usage: npm run backtest -- --strategy <id> --file <klines.csv|json> [options]
       npm run backtest -- --strategy <id> --db <market.db> --symbol <SYMBOL> --interval <1m|...> [--from --to] [options]

  --strategy <id>          one of: ${strategyIds().join(', ')}
  --file <path>            Binance klines: JSON array or CSV (seed 001 / data.binance.vision)
  --db <path>              or the candles of a market database (npm run record / npm run download -- --db)
  --params '<json>'        strategy params (or --params-file <path>)
  --symbol <SYMBOL>        default: from the file name, else BTCUSDT
  --interval <1m|1h|...>   default: from the candles' spacing
  --balance <A=x,B=y>      starting balances, default <quote>=10000 (futures: the margin asset only)
  --fee <rate>             maker and taker fee, default 0.001 (0.1 %; futures 0.0002 / 0.0005); or --maker-fee / --taker-fee
  --participation <share>  share of each candle's volume our resting orders may take (partial fills)
  --depth <file>           depth recording (npm run exchange -- --record-depth <file>) answering the
                           order-book requests of book-imbalance; or a market database's depth
                           snapshots (npm run record -- --depth; e.g. the --db file itself)
  --risk '<json>'          risk limits: maxOpenTrades, maxDrawdown, maxDrawdownPct, capital
  --on-stop <policy>       ${STOP_POLICIES.join(' | ')} (default cancel-orders)
  --market <spot|futures>  the bot's market (default spot): the run is refused where live would refuse it;
                           futures runs on the simulated USDⓈ-M perpetual (leverage from params.leverage)
  --from / --to <date>     only candles in this period (ISO date or ms)
  --out <dir>              where to write <name>.json and <name>.html (default reports/backtests)
  --name <name>            file name of the results (default <strategy>-<symbol>-<interval>-<start>)
  --progress / --no-progress  force the progress bar on or off (default: on a terminal)
  --quiet                  print only the paths of the files written
`;

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly isTty: boolean;
}

export class UsageError extends Error {}

export function loadDepthRecording(file: string, symbol?: string): RecordedBook[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new DepthRecordingError(`${file}: cannot read the depth recording (${(err as Error).message})`);
  }
  const recording = isSqliteFile(bytes) ? depthFromDb(file, symbol) : parseDepthRecording(bytes.toString('utf8'), file);
  if (recording.length === 0) throw new DepthRecordingError(`${file}: no snapshot in the depth recording`);
  return recording;
}

export function parseBalances(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [asset, amount] = part.split('=');
    if (!asset || !amount || !/^[A-Z0-9]{2,12}$/.test(asset) || !isDecimalString(amount))
      throw new UsageError(`--balance: expected ASSET=amount[,ASSET=amount], got "${part}"`);
    out[asset] = amount;
  }
  return out;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what}: not valid JSON (${(err as Error).message})`);
  }
}

export function parseTime(v: string, what: string): number {
  const ms = /^[0-9]+$/.test(v) ? Number(v) : Date.parse(v.includes('T') || v.length > 10 ? v : `${v}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new UsageError(`${what}: not a date: ${v}`);
  return ms;
}

export function rate(v: string | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (!isDecimalString(v) || Number(v) >= 1) throw new UsageError(`${what}: expected a rate such as 0.001, got ${v}`);
  return v;
}

function futuresSummary(r: FuturesBacktestResult): string {
  const f = r.futures;
  const pos =
    f.exchangePosition.positionAmt === '0'
      ? 'flat'
      : `${f.exchangePosition.positionAmt} @ ${f.exchangePosition.entryPrice}`;
  return `perpetual: ${f.leverage}x ${f.marginType}, wallet ${f.walletBalance}, funding ${f.funding} (${f.fundingPayments.length} payments), liquidations ${f.liquidations}, position ${pos}`;
}

/** Run the command; returns the process exit code. */
export function main(argv: readonly string[], io: CliIo, now: () => number = () => performance.now()): number {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        strategy: { type: 'string' },
        file: { type: 'string' },
        db: { type: 'string' },
        params: { type: 'string' },
        'params-file': { type: 'string' },
        symbol: { type: 'string' },
        interval: { type: 'string' },
        balance: { type: 'string' },
        fee: { type: 'string' },
        'maker-fee': { type: 'string' },
        'taker-fee': { type: 'string' },
        participation: { type: 'string' },
        depth: { type: 'string' },
        risk: { type: 'string' },
        'on-stop': { type: 'string' },
        market: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        progress: { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    if (!args.strategy || (!args.file && !args.db))
      throw new UsageError('--strategy and --file are required (or --db with --symbol and --interval)');
    if (args.file && args.db) throw new UsageError('give --file or --db, not both');
    if (args.db && (!args.symbol || !args.interval))
      throw new UsageError('--db needs --symbol and --interval (the series to read)');
    const strategy = findStrategy(args.strategy);
    if (!strategy) throw new UsageError(`unknown strategy "${args.strategy}" (known: ${strategyIds().join(', ')})`);
    if (args.params !== undefined && args['params-file'] !== undefined)
      throw new UsageError('give --params or --params-file, not both');
    const params =
      args['params-file'] !== undefined
        ? parseJson(readFileSync(args['params-file'], 'utf8'), args['params-file'])
        : args.params !== undefined
          ? parseJson(args.params, '--params')
          : {};
    if (args.interval !== undefined && !(CANDLE_INTERVALS as readonly string[]).includes(args.interval))
      throw new UsageError(`--interval: one of ${CANDLE_INTERVALS.join(', ')}`);
    const onStop = args['on-stop'] ?? 'cancel-orders';
    if (!(STOP_POLICIES as readonly string[]).includes(onStop))
      throw new UsageError(`--on-stop: one of ${STOP_POLICIES.join(', ')}`);
    const risk = args.risk !== undefined ? riskConfigSchema.safeParse(parseJson(args.risk, '--risk')) : null;
    if (risk && !risk.success)
      throw new UsageError(
        `--risk: ${risk.error.issues.map((i) => `${i.path.join('.') || '(risk)'}: ${i.message}`).join('; ')}`,
      );
    const participation =
      args.participation !== undefined
        ? isDecimalString(args.participation) && Number(args.participation) > 0 && Number(args.participation) <= 1
          ? args.participation
          : null
        : undefined;
    if (participation === null) throw new UsageError('--participation: a share in (0, 1], e.g. 0.25');

    const source = (args.file ?? args.db)!;
    const loaded = args.db
      ? loadKlinesFromDb(args.db, {
          symbol: args.symbol!,
          interval: args.interval as CandleInterval,
          ...(args.from !== undefined ? { from: parseTime(args.from, '--from') } : {}),
          ...(args.to !== undefined ? { to: parseTime(args.to, '--to') } : {}),
        })
      : loadKlines(source, {
          ...(args.symbol !== undefined ? { symbol: args.symbol } : {}),
          ...((args.interval ?? intervalFromFileName(source)) !== undefined
            ? { interval: (args.interval ?? intervalFromFileName(source)) as CandleInterval }
            : {}),
        });
    for (const w of loaded.warnings) io.err(`${source}: ${w}`);
    const depth = args.depth !== undefined ? loadDepthRecording(args.depth, loaded.symbol) : null;
    let candles: Candle[] = loaded.candles;
    if (args.from !== undefined) candles = candles.filter((c) => c.openTime >= parseTime(args.from!, '--from'));
    if (args.to !== undefined) candles = candles.filter((c) => c.openTime < parseTime(args.to!, '--to'));
    if (candles.length === 0) throw new UsageError('no candle in the requested period');

    // The checks a live start runs (core/bot-definition.ts): a bot live would refuse is refused here.
    const market = args.market ?? 'spot';
    // (Bad params are left to runBacktest, which names them the backtest's way.)
    const checked = !strategy.params.safeParse(params).success
      ? { ok: true as const }
      : checkBotDefinition({
          name: 'backtest',
          strategy: args.strategy,
          symbol: loaded.symbol,
          interval: loaded.interval,
          params,
          onStop,
          market,
          ...(risk?.success ? { risk: risk.data } : {}),
        });
    if (!checked.ok)
      throw new BacktestError(
        `this bot would be refused live, so it is not backtested:\n  ${checked.problems.join('\n  ')}`,
      );

    const showProgress = args['no-progress'] ? false : (args.progress ?? io.isTty) && !args.quiet;
    const started = now();
    let lastDraw = started;
    let drawn = false;
    // Futures bots run on the simulated perpetual (backtest/futures-run.ts), spot bots on the spot venue.
    const run = market === 'futures' ? runFuturesBacktest : runBacktest;
    const result: BacktestResult = run({
      strategy: depth ? withLocalData(strategy, recordedBookResolver(depth)) : strategy,
      params,
      candles,
      symbol: loaded.symbol,
      interval: loaded.interval,
      ...(args.balance !== undefined ? { balances: parseBalances(args.balance) } : {}),
      ...(rate(args['maker-fee'] ?? args.fee, '--maker-fee') !== undefined
        ? { makerFee: rate(args['maker-fee'] ?? args.fee, '--maker-fee')! }
        : {}),
      ...(rate(args['taker-fee'] ?? args.fee, '--taker-fee') !== undefined
        ? { takerFee: rate(args['taker-fee'] ?? args.fee, '--taker-fee')! }
        : {}),
      ...(participation !== undefined ? { participation } : {}),
      ...(risk?.success ? { risk: risk.data } : {}),
      onStop: onStop as StopPolicy,
      progressEvery: 16_384,
      onProgress: (done, total) => {
        // A bar only on runs long enough to need one (over half a second so far).
        if (!showProgress) return;
        const t = now();
        if (t - started < 500 || (done < total && t - lastDraw < 100)) return;
        lastDraw = t;
        drawn = true;
        io.err(`\r${progressBar(done, total)}`);
      },
    });
    const elapsedMs = now() - started;
    if (drawn) io.err('\n');

    const outDir = args.out ?? 'reports/backtests';
    const name = (
      args.name ??
      `${result.strategy}-${result.symbol}-${result.interval}-${new Date(result.from).toISOString().slice(0, 10)}`
    ).replace(/[^A-Za-z0-9._-]/g, '_');
    mkdirSync(outDir, { recursive: true });
    const jsonPath = path.join(outDir, `${name}.json`);
    const htmlPath = path.join(outDir, `${name}.html`);
    writeFileSync(
      jsonPath,
      `${JSON.stringify({ ...result, file: path.resolve(source), elapsedMs: Math.round(elapsedMs) }, null, 2)}\n`,
    );
    writeFileSync(htmlPath, reportHtml(result, candles));
    if (!args.quiet)
      io.out(
        `${summaryText(result, { elapsedMs })}\n${'futures' in result ? `${futuresSummary(result as FuturesBacktestResult)}\n` : ''}\n`,
      );
    io.out(`result: ${jsonPath}\nreport: ${htmlPath}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof KlineFileError || err instanceof BacktestError || err instanceof DepthRecordingError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  const code = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTty: process.stderr.isTTY === true,
  });
  process.exitCode = code;
}
