/**
 * `/run <strategy> <symbol> [trades=N] [param=value…]` → a bot definition, checked by the same
 * schema as a config file, the CLI and the control API (core/bot-definition.ts). Seed 001's
 * Telegram bot asked for the number of trades and then traded until it was reached: `trades=N`.
 *
 * - `name=`, `interval=`, `account=`, `onStop=` set the definition's fields; everything else is a
 *   strategy param, dotted keys nest (`exits.stopLoss.pct=1`).
 * - Values: JSON where it parses (`5`, `true`, `{"type":"market"}`), else text. Amounts are
 *   decimal strings in every schema, so a number refused with "must be a decimal string" is given
 *   again as text: `quantity=0.001` works as a person would type it.
 * - `trades=N` sets the strategy's own trade count when it has one (the model scalper's
 *   `numTrades`) and the kernel's `risk.stopAfterTrades` in any case.
 * Pure.
 */
import { type BotDefinition, checkBotDefinition } from '../core/bot-definition';
import { findStrategy, strategyIds } from '../core/strategies';

export type RunParse =
  { ok: true; definition: BotDefinition; trades: number | null } | { ok: false; problems: string[] };

const DEFINITION_KEYS = new Set(['name', 'interval', 'account', 'onStop', 'market']);
const TRADE_COUNT_PARAMS = ['numTrades', 'maxTrades'];

function literal(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** A default bot name: `<strategy>-<symbol>-<base36 time>`, within the 48 characters allowed. */
export function defaultBotName(strategy: string, symbol: string, now: number): string {
  return `${strategy}-${symbol.toLowerCase()}-${Math.floor(now / 1000).toString(36)}`.slice(0, 48);
}

export function parseRunArgs(args: readonly string[], o: { defaultAccount: string; now: number }): RunParse {
  const [strategyId, symbolRaw, ...rest] = args;
  if (!strategyId || !symbolRaw)
    return {
      ok: false,
      problems: [`usage: /run <strategy> <symbol> [trades=N] [param=value…]; strategies: ${strategyIds().join(', ')}`],
    };
  const strategy = findStrategy(strategyId);
  if (!strategy)
    return { ok: false, problems: [`strategy: unknown strategy "${strategyId}" (known: ${strategyIds().join(', ')})`] };
  const symbol = symbolRaw.toUpperCase();
  const def: Record<string, unknown> = { strategy: strategyId, symbol, account: o.defaultAccount };
  const params: Record<string, unknown> = {};
  let trades: number | null = null;
  const problems: string[] = [];
  const asText = new Map<string, { path: string[]; raw: string }>();
  for (const arg of rest) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      problems.push(`"${arg}": expected key=value`);
      continue;
    }
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    if (key === 'trades') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
        problems.push(`trades: must be a whole number of trades, at least 1 (got "${raw}")`);
      else trades = n;
      continue;
    }
    if (DEFINITION_KEYS.has(key)) {
      def[key] = raw;
      continue;
    }
    const path = key.split('.');
    if (path.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')) {
      problems.push(`"${key}": not a param name`);
      continue;
    }
    const value = literal(raw);
    setPath(params, path, value);
    if (typeof value !== 'string') asText.set(`params.${key}`, { path, raw });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (trades !== null) {
    const shape = strategy.params as unknown as {
      shape?: Record<string, unknown>;
      _def?: { schema?: { shape?: Record<string, unknown> } };
    };
    const keys = Object.keys(shape.shape ?? shape._def?.schema?.shape ?? {});
    for (const p of TRADE_COUNT_PARAMS) if (keys.includes(p) && params[p] === undefined) params[p] = trades;
    def.risk = { stopAfterTrades: trades };
  }
  def.name ??= defaultBotName(strategyId, symbol, o.now);
  def.params = params;
  // Numbers where the schema wants decimal strings: give them again as typed.
  for (let i = 0; i <= asText.size; i++) {
    const r = checkBotDefinition(def);
    if (r.ok) return { ok: true, definition: r.definition, trades };
    const retry = r.problems
      .map((p) => [...asText.entries()].find(([k]) => p.includes(`${k}:`) && /decimal string/.test(p)))
      .find((x) => x !== undefined);
    if (!retry) return { ok: false, problems: r.problems };
    setPath(params, retry[1].path, retry[1].raw);
    asText.delete(retry[0]);
  }
  const r = checkBotDefinition(def);
  return r.ok ? { ok: true, definition: r.definition, trades } : { ok: false, problems: r.problems };
}
