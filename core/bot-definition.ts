/**
 * Bot definitions: what a user writes in a config file (a JSON list of named bots, like the seeds'
 * conf.json) and what a bot workflow receives as input. Validated with zod by the client and again
 * when the workflow starts. Plain JSON; never carries a secret (credentials stay in the worker's
 * environment, the definition only names the account). Pure.
 */
import { z } from 'zod';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from './market';
import { STOP_POLICIES } from './engine';
import { riskConfigSchema } from './risk/guard';
import { formatIssues } from './schema';
import type { Json } from './strategy';
import { findStrategy, strategyIds } from './strategies';

export const BOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export const botDefinitionSchema = z
  .object({
    name: z.string({ error: 'is required' }).regex(BOT_NAME_PATTERN, 'must be 1-48 letters, digits, "-" or "_", starting with a letter or digit'),
    strategy: z.string({ error: 'is required' }),
    symbol: z.string({ error: 'is required' }).regex(SYMBOL_PATTERN, 'must be a Binance spot symbol in capitals, such as BTCUSDT'),
    interval: z.enum(CANDLE_INTERVALS, { error: `must be one of ${CANDLE_INTERVALS.join(', ')}` }).default('1m'),
    /** Which configured exchange account the bot trades on; its keys live in the worker's environment. */
    account: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, "-" or "_"').default('paper'),
    params: z.record(z.string(), z.unknown()).default({}),
    /** What a graceful stop does with the bot's open orders. */
    onStop: z.enum(STOP_POLICIES, { error: `must be one of ${STOP_POLICIES.join(', ')}` }).default('cancel-orders'),
    market: z.enum(['spot', 'futures']).default('spot'),
    /** Risk limits applied by the kernel to every entry (see core/risk/guard.ts). */
    risk: riskConfigSchema.default({} as z.input<typeof riskConfigSchema>),
  })
  .strict();

export type BotDefinition = Omit<z.output<typeof botDefinitionSchema>, 'params'> & { readonly params: { readonly [key: string]: Json } };

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

/** Validate one definition (structure, strategy, params); returns the problems, or the parsed definition. */
export function checkBotDefinition(raw: unknown, where: Where = {}): { ok: true; definition: BotDefinition } | { ok: false; problems: string[] } {
  const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
  const prefix = label(where, name);
  const parsed = botDefinitionSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: formatIssues(parsed.error).map((m) => `${prefix}: ${m}`) };
  const def = parsed.data;
  const strategy = findStrategy(def.strategy);
  if (!strategy) {
    return { ok: false, problems: [`${prefix}: strategy: unknown strategy "${def.strategy}" (known: ${strategyIds().join(', ')})`] };
  }
  const params = strategy.params.safeParse(def.params);
  if (!params.success) return { ok: false, problems: formatIssues(params.error as z.ZodError, 'params').map((m) => `${prefix}: ${m}`) };
  const refusal = strategy.checkEnvironment?.(params.data, { market: def.market });
  if (refusal) return { ok: false, problems: [`${prefix}: ${refusal}`] };
  return { ok: true, definition: { ...def, params: params.data as BotDefinition['params'] } };
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
  if (!Array.isArray(json)) throw new BotConfigError([`${file}: must be a JSON array of bots`]);
  const problems: string[] = [];
  const definitions: BotDefinition[] = [];
  const seen = new Map<string, number>();
  json.forEach((entry, i) => {
    const where = { file, index: i + 1 };
    const raw = normaliseEntry(entry);
    const name = typeof raw === 'object' && raw !== null ? (raw as { name?: unknown }).name : undefined;
    if (typeof name === 'string') {
      const first = seen.get(name);
      if (first !== undefined) problems.push(`${label(where, name)}: name: duplicate bot name, already used by bot #${first}`);
      else seen.set(name, i + 1);
    }
    const result = checkBotDefinition(raw, where);
    if (result.ok) definitions.push(result.definition);
    else problems.push(...result.problems);
  });
  if (problems.length > 0) throw new BotConfigError(problems);
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
