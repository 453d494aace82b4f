/**
 * Bot definitions: what a user writes in a config file (a JSON list of named bots, like the seeds'
 * conf.json) and what a bot workflow receives as input. Validated with zod by the client and again
 * when the workflow starts. Plain JSON; never carries a secret (credentials stay in the worker's
 * environment, the definition only names the account). Pure.
 */
import { z } from 'zod';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from './market';
import { STOP_POLICIES } from './kernel';
import { riskConfigSchema } from './risk/guard';
import { formatIssues, kindOf, text } from './schema';
import type { Json } from './strategy';
import { findStrategy, strategyIds } from './strategies';
import { futuresSlotProblems } from './futures/one-way-slot';
import { futuresConfigSchema, futuresRefusal } from './futures/setup';

export const BOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

/** An exchange account's name, as bot definitions, the worker's BOT_ACCOUNTS and Telegram write it. */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export const MARKETS = ['spot', 'futures'] as const;

export const botDefinitionSchema = z
  .object({
    name: text('a name').regex(
      BOT_NAME_PATTERN,
      'must be 1-48 letters, digits, "-" or "_", starting with a letter or digit',
    ),
    strategy: text('a strategy id'),
    symbol: text('a symbol').regex(SYMBOL_PATTERN, 'must be a Binance spot symbol in capitals, such as BTCUSDT'),
    interval: z.enum(CANDLE_INTERVALS, { error: `must be one of ${CANDLE_INTERVALS.join(', ')}` }).default('1m'),
    /** Which configured exchange account the bot trades on; its keys live in the worker's environment. */
    account: text('an account name')
      .regex(ACCOUNT_NAME_PATTERN, 'must be 1-32 letters, digits, "-" or "_"')
      .default('paper'),
    params: z
      .record(z.string(), z.unknown(), { error: (iss) => `must be an object of params, not ${kindOf(iss.input)}` })
      .default({}),
    /** What a graceful stop does with the bot's open orders. */
    onStop: z.enum(STOP_POLICIES, { error: `must be one of ${STOP_POLICIES.join(', ')}` }).default('cancel-orders'),
    /** Spot, or USDⓈ-M futures for strategies that declare it (core/futures/setup.ts says what is refused). */
    market: z.enum(MARKETS, { error: `must be one of ${MARKETS.join(', ')}` }).default('spot'),
    /** Futures only: leverage, margin type, protective stop distance. */
    futures: futuresConfigSchema.optional(),
    /** Risk limits applied by the kernel to every entry (see core/risk/guard.ts). */
    risk: riskConfigSchema.default({} as z.input<typeof riskConfigSchema>),
  })
  .strict();

export type BotDefinition = Omit<z.output<typeof botDefinitionSchema>, 'params'> & {
  readonly params: { readonly [key: string]: Json };
};

export class BotConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'BotConfigError';
  }
}

export interface Where {
  /** The config file, when the definition comes from one. */
  readonly file?: string;
  /** Position in the file, 1-based. */
  readonly index?: number;
}

function label(where: Where, name: unknown): string {
  const bot = typeof name === 'string' && name !== '' ? `bot "${name}"` : 'bot';
  const pos = where.index !== undefined ? ` (#${where.index})` : '';
  return `${where.file ? `${where.file}: ` : ''}${bot}${pos}`;
}

/**
 * Validate one definition (structure, strategy, params, market): every problem at once, each
 * prefixed with where it is (file, bot, position) and naming the field. Never throws.
 */
export function checkBotDefinition(
  raw: unknown,
  where: Where = {},
): { ok: true; definition: BotDefinition } | { ok: false; problems: string[] } {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  const prefix = label(where, name);
  try {
    const checked = check(raw);
    if ('definition' in checked) return { ok: true, definition: checked.definition };
    return { ok: false, problems: checked.problems.map((m) => `${prefix}: ${m}`) };
  } catch (err) {
    // A check that throws is our bug; it must still come out as a refusal naming the bot.
    return { ok: false, problems: [`${prefix}: could not be checked: ${(err as Error).message}`] };
  }
}

function check(raw: unknown): { definition: BotDefinition } | { problems: string[] } {
  const problems = definitionProblems(raw);
  if (problems.length > 0) return { problems };
  const parsed = botDefinitionSchema.parse(raw);
  const params: unknown = findStrategy(parsed.strategy)!.params.parse(parsed.params);
  return { definition: { ...parsed, params: params as BotDefinition['params'] } };
}

function definitionProblems(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return [`must be an object with name, strategy, symbol and params, not ${kindOf(raw)}`];
  const problems: string[] = [];
  const parsed = botDefinitionSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatIssues(parsed.error).filter((m) => !m.startsWith('params.')));
  // The params are checked even when other fields are wrong, so a file shows all its problems.
  const strategyId = (raw as { strategy?: unknown }).strategy;
  const strategy = findStrategy(strategyId);
  if (typeof strategyId === 'string' && !strategy)
    problems.push(
      `strategy: unknown strategy ${JSON.stringify(strategyId.slice(0, 60))} (known: ${strategyIds().join(', ')})`,
    );
  const rawParams = (raw as { params?: unknown }).params ?? {};
  const market = (raw as { market?: unknown }).market;
  if (market !== 'futures' && (raw as { futures?: unknown }).futures !== undefined)
    problems.push('futures: only a bot with "market": "futures" takes futures settings');
  if (!strategy) return problems;
  if (typeof rawParams !== 'object' || rawParams === null || Array.isArray(rawParams)) {
    if (parsed.success) problems.push(`params: must be an object of params, not ${kindOf(rawParams)}`);
    return problems;
  }
  const params = strategy.params.safeParse(rawParams);
  if (!params.success) {
    problems.push(...formatIssues(params.error as z.ZodError, 'params'));
    return problems;
  }
  if (!parsed.success || problems.length > 0) return problems;
  if (parsed.data.market === 'futures') {
    // Binance's futures klines start at 1m: a 1s futures bot would wait for candles that never come.
    if (parsed.data.interval === '1s')
      return ['interval: USDⓈ-M futures have no 1s candles (the smallest futures interval is 1m); use "1m" or longer'];
    const unsupported = futuresRefusal(strategy, params.data, parsed.data.futures, parsed.data.onStop);
    if (unsupported) return [unsupported];
  }
  const refusal = strategy.checkEnvironment?.(params.data, { market: parsed.data.market });
  return refusal ? [refusal] : [];
}

export function parseBotDefinition(raw: unknown, where: Where = {}): BotDefinition {
  const result = checkBotDefinition(raw, where);
  if (!result.ok) throw new BotConfigError(result.problems);
  return result.definition;
}

/**
 * Validate a whole config file. Accepts a JSON array of bot objects (`[{ "name": "a", ... }]`) or
 * the seeds' conf.json shape (`[{ "a": { ... } }]`). Every problem of every bot is reported at
 * once, and nothing starts unless the whole file is valid.
 */
export function parseBotConfig(json: unknown, file: string): BotDefinition[] {
  if (!Array.isArray(json))
    throw new BotConfigError([
      `${file}: must be a JSON array of bots ([{ "name": ..., "strategy": ..., ... }]), not ${kindOf(json)}`,
    ]);
  if (json.length === 0) throw new BotConfigError([`${file}: lists no bots (the array is empty)`]);
  const problems: string[] = [];
  const definitions: BotDefinition[] = [];
  // Names are unique ignoring case: "Bot" and "bot" would be two workflows a person cannot tell apart.
  const seen = new Map<string, { index: number; name: string }>();
  json.forEach((entry, i) => {
    const where = { file, index: i + 1 };
    const raw = normaliseEntry(entry);
    const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
    if (typeof name === 'string') {
      const first = seen.get(name.toLowerCase());
      if (first !== undefined) {
        const how = first.name === name ? '' : ` ("${first.name}": names are compared ignoring case)`;
        problems.push(`${label(where, name)}: name: duplicate bot name, already used by bot #${first.index}${how}`);
      } else seen.set(name.toLowerCase(), { index: i + 1, name });
    }
    const result = checkBotDefinition(raw, where);
    if (result.ok) definitions.push(result.definition);
    else problems.push(...result.problems);
  });
  if (problems.length > 0) throw new BotConfigError(problems);
  const shared = futuresSlotProblems(definitions, [], (i) => `bot #${i + 1} of ${file}`);
  if (shared.length > 0) throw new BotConfigError(shared.map((m) => `${file}: ${m}`));
  return definitions;
}

/** `{ "my-bot": { strategy: ... } }` (seed style) becomes `{ name: "my-bot", strategy: ... }`. */
function normaliseEntry(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
  const keys = Object.keys(entry);
  if (keys.length === 1 && !('name' in entry)) {
    const inner = (entry as Record<string, unknown>)[keys[0]!];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      const { function: fn, ...rest } = inner as Record<string, unknown>;
      // The seeds name the Python module in "function"; here it is the strategy id.
      return { name: keys[0], ...(fn !== undefined && !('strategy' in rest) ? { strategy: fn } : {}), ...rest };
    }
  }
  return entry;
}
