/**
 * What `npm run backtest` and `npm run optimize` read the same way: the options both take, their
 * parsers, and the backtest settings they make (balances, fees, participation, risk, stop policy).
 * One home, so the two commands cannot drift apart on what `--fee` or `--risk` means.
 */
import { readFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { STOP_POLICIES, type StopPolicy } from '../core/kernel';
import { CANDLE_INTERVALS } from '../core/market';
import { type RiskConfig, riskConfigSchema } from '../core/risk/guard';
import { isDecimalString } from '../core/decimal';

export interface CliIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly isTty: boolean;
}

/** A bad command line: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/** The `parseArgs` options both commands take. */
export const COMMON_OPTIONS = {
  strategy: { type: 'string' },
  file: { type: 'string' },
  db: { type: 'string' },
  params: { type: 'string' },
  'params-file': { type: 'string' },
  symbol: { type: 'string' },
  interval: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  depth: { type: 'string' },
  balance: { type: 'string' },
  fee: { type: 'string' },
  'maker-fee': { type: 'string' },
  'taker-fee': { type: 'string' },
  participation: { type: 'string' },
  risk: { type: 'string' },
  'on-stop': { type: 'string' },
  out: { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The values of the common options, as `parseArgs` returns them. */
export interface CommonArgs {
  readonly interval?: string | undefined;
  readonly balance?: string | undefined;
  readonly fee?: string | undefined;
  readonly 'maker-fee'?: string | undefined;
  readonly 'taker-fee'?: string | undefined;
  readonly participation?: string | undefined;
  readonly risk?: string | undefined;
  readonly 'on-stop'?: string | undefined;
  readonly progress?: boolean | undefined;
  readonly 'no-progress'?: boolean | undefined;
  readonly quiet?: boolean | undefined;
}

/** The backtest settings the common options give (absent where the option was not given). */
export interface CommonSettings {
  readonly balances?: Record<string, string>;
  readonly makerFee?: string;
  readonly takerFee?: string;
  readonly participation?: string;
  readonly risk?: RiskConfig;
  readonly onStop?: StopPolicy;
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

/** `--from` and `--to` as times (each absent where not given; `--from` read first). */
export function period(a: { readonly from?: string | undefined; readonly to?: string | undefined }): {
  readonly from?: number;
  readonly to?: number;
} {
  return {
    ...(a.from !== undefined ? { from: parseTime(a.from, '--from') } : {}),
    ...(a.to !== undefined ? { to: parseTime(a.to, '--to') } : {}),
  };
}

export function rate(v: string | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (!isDecimalString(v) || Number(v) >= 1) throw new UsageError(`${what}: expected a rate such as 0.001, got ${v}`);
  return v;
}

/** JSON given inline (`--name '<json>'`) or in a file (`--name-file <path>`), not both; `absent` if neither. */
export function jsonOption(
  inline: string | undefined,
  file: string | undefined,
  name: string,
  absent?: unknown,
): unknown {
  if (inline !== undefined && file !== undefined) throw new UsageError(`give ${name} or ${name}-file, not both`);
  if (file !== undefined) return parseJson(readFileSync(file, 'utf8'), file);
  return inline !== undefined ? parseJson(inline, name) : absent;
}

export function checkInterval(interval: string | undefined): void {
  if (interval !== undefined && !(CANDLE_INTERVALS as readonly string[]).includes(interval))
    throw new UsageError(`--interval: one of ${CANDLE_INTERVALS.join(', ')}`);
}

/** `--on-stop`, `--risk`, `--participation`, the fees and `--balance`, checked in that order. */
export function commonSettings(a: CommonArgs): CommonSettings {
  const onStop = a['on-stop'];
  if (onStop !== undefined && !(STOP_POLICIES as readonly string[]).includes(onStop))
    throw new UsageError(`--on-stop: one of ${STOP_POLICIES.join(', ')}`);
  const risk = a.risk !== undefined ? riskConfigSchema.safeParse(parseJson(a.risk, '--risk')) : null;
  if (risk && !risk.success)
    throw new UsageError(
      `--risk: ${risk.error.issues.map((i) => `${i.path.join('.') || '(risk)'}: ${i.message}`).join('; ')}`,
    );
  if (
    a.participation !== undefined &&
    !(isDecimalString(a.participation) && Number(a.participation) > 0 && Number(a.participation) <= 1)
  )
    throw new UsageError('--participation: a share in (0, 1], e.g. 0.25');
  const makerFee = rate(a['maker-fee'] ?? a.fee, '--maker-fee');
  const takerFee = rate(a['taker-fee'] ?? a.fee, '--taker-fee');
  return {
    ...(a.balance !== undefined ? { balances: parseBalances(a.balance) } : {}),
    ...(makerFee !== undefined ? { makerFee } : {}),
    ...(takerFee !== undefined ? { takerFee } : {}),
    ...(a.participation !== undefined ? { participation: a.participation } : {}),
    ...(risk?.success ? { risk: risk.data } : {}),
    ...(onStop !== undefined ? { onStop: onStop as StopPolicy } : {}),
  };
}

/** The progress bar: forced on or off, else on a terminal unless quiet. */
export function showProgress(a: CommonArgs, io: CliIo): boolean {
  return a['no-progress'] ? false : (a.progress ?? io.isTty) && !a.quiet;
}

/** This process's terminal: stdout, stderr, and whether stderr shows a progress bar. */
export function processIo(): CliIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTty: process.stderr.isTTY === true,
  };
}

/**
 * The exit code of a command that failed with `err`: a bad command line 2 (printed with the
 * usage), one of the command's own `known` errors 1 (its message); anything else is rethrown.
 */
export function failureExit(
  err: unknown,
  usage: string,
  io: CliIo,
  known: ReadonlyArray<abstract new (...args: never[]) => Error>,
): number {
  if (err instanceof UsageError) {
    io.err(`${err.message}\n\n${usage}`);
    return 2;
  }
  if (known.some((k) => err instanceof k)) {
    io.err(`${(err as Error).message}\n`);
    return 1;
  }
  throw err;
}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
type CommandConfig<E extends ParseArgsOptionsConfig> = {
  args: string[];
  options: typeof COMMON_OPTIONS & E;
  strict: true;
  allowPositionals: false;
};
export type CommandArgs<E extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<CommandConfig<E>>>['values'];

/**
 * The command line of a command taking the common options and `extra`: its values, or the exit
 * code when there is nothing to run (a bad option: 2, with the usage; `--help`: 0, the usage).
 */
export function readCommandLine<const E extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  extra: E,
  usage: string,
  io: CliIo,
): { readonly values: CommandArgs<E> } | { readonly exit: number } {
  let values: CommandArgs<E>;
  try {
    const config: CommandConfig<E> = {
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...extra },
      strict: true,
      allowPositionals: false,
    };
    values = parseArgs(config).values;
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${usage}`);
    return { exit: 2 };
  }
  if ((values as { readonly help?: boolean }).help) {
    io.out(usage);
    return { exit: 0 };
  }
  return { values };
}
