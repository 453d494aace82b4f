/**
 * `npm run backtest -- --strategy <id> --file <klines> [--params '<json>' | --params-file f] ...`
 *
 * Runs a registered strategy over a kline file, prints a summary (with a progress bar on long runs
 * when the terminal shows one) and writes a JSON result and a standalone HTML report.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Candle, CandleInterval } from '../core/market';
import { STOP_POLICIES } from '../core/kernel';
import { findStrategy, strategyIds } from '../core/strategies';
import { checkBotDefinition } from '../core/bot-definition';
import { KlineFileError, intervalFromFileName, loadKlines, loadKlinesFromDb } from './data';
import { BacktestError, type BacktestResult, runBacktest } from './engine';
import { reportHtml } from './html';
import { type FuturesBacktestResult, runFuturesBacktest } from './futures-run';
import { progressBar, summaryText } from './report';
import { DepthRecordingError, type RecordedBook, parseDepthRecording } from '../core/analysis/book-replay';
import { withLocalData } from '../core/strategies/seed/local-data';
import { recordedBookResolver } from './depth-data';
import { botFromConfig } from './config-option';
import { MarketDb, type MarketDbError, isSqliteFile } from './db/market-db';
import {
  type CliIo,
  UsageError,
  checkInterval,
  commonSettings,
  failureExit,
  jsonOption,
  parseTime,
  period,
  processIo,
  readCommandLine,
  showProgress,
} from './cli-options';

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
  --config <bots.json>     a bot config file (npm run bots): its strategy, params, market, futures,
                           symbol, interval, onStop and risk; --bot <name> picks one of several;
                           options given here win over the file's
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
  const line = readCommandLine(
    argv,
    { market: { type: 'string' }, name: { type: 'string' }, config: { type: 'string' }, bot: { type: 'string' } },
    USAGE,
    io,
  );
  if ('exit' in line) return line.exit;
  const cli = line.values;
  try {
    // A bot config file gives the defaults; the command line's options win over it.
    const bot = cli.config !== undefined ? botFromConfig(cli.config, cli.bot) : null;
    if (cli.bot !== undefined && !bot) throw new UsageError('--bot names a bot of the --config file');
    const args = {
      ...cli,
      strategy: cli.strategy ?? bot?.strategy,
      symbol: cli.symbol ?? bot?.symbol,
      interval: cli.interval ?? bot?.interval,
      market: cli.market ?? bot?.market,
    };
    if (!args.strategy || (!args.file && !args.db))
      throw new UsageError(
        '--strategy and --file are required (or --db with --symbol and --interval; a --config file gives the strategy)',
      );
    if (args.file && args.db) throw new UsageError('give --file or --db, not both');
    if (args.db && (!args.symbol || !args.interval))
      throw new UsageError('--db needs --symbol and --interval (the series to read)');
    const strategy = findStrategy(args.strategy);
    if (!strategy) throw new UsageError(`unknown strategy "${args.strategy}" (known: ${strategyIds().join(', ')})`);
    const params =
      bot && args.params === undefined && args['params-file'] === undefined
        ? bot.params
        : jsonOption(args.params, args['params-file'], '--params', {});
    checkInterval(args.interval);
    const common = commonSettings(args);
    const settings = {
      ...common,
      ...(common.risk === undefined && bot && Object.keys(bot.risk).length > 0 ? { risk: bot.risk } : {}),
    };
    const onStop = common.onStop ?? bot?.onStop ?? 'cancel-orders';
    const futures = bot?.futures;

    const source = (args.file ?? args.db)!;
    const loaded = args.db
      ? loadKlinesFromDb(args.db, {
          symbol: args.symbol!,
          interval: args.interval as CandleInterval,
          ...period(args),
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
          ...(futures ? { futures } : {}),
          ...(settings.risk ? { risk: settings.risk } : {}),
        });
    if (!checked.ok)
      throw new BacktestError(
        `this bot would be refused live, so it is not backtested:\n  ${checked.problems.join('\n  ')}`,
      );

    const progress = showProgress(args, io);
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
      ...settings,
      onStop,
      ...(futures ? { futures } : {}),
      progressEvery: 16_384,
      onProgress: (done, total) => {
        // A bar only on runs long enough to need one (over half a second so far).
        if (!progress) return;
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
    return failureExit(err, USAGE, io, [KlineFileError, BacktestError, DepthRecordingError]);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  process.exitCode = main(process.argv.slice(2), processIo());
}
