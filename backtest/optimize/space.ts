/**
 * The search space of an optimisation: `--space '{"param":[min,max,step] | [choices]}'` or, by
 * default, every numeric param of the strategy's schema within documented bounds (bounds.ts).
 *
 * Params are addressed by dot paths into the strategy's params ("long1.stopLossPct",
 * "exits.takeProfits.0.pct"). What a param accepts is learnt from the strategy's own zod schema
 * by asking it (safeParse of the whole params with one value changed), so refinements that a
 * schema walk cannot see (a fraction ≤ 1, a percentage below 1000, whole numbers) are honoured.
 */
import { isDecimalString } from '../../core/decimal';
import type { AnyStrategy, Json } from '../../core/strategy';
import { EXCLUDED_NAMES, EXCLUDED_PREFIXES, SHARED_BOUNDS, STRATEGY_BOUNDS } from './bounds';
import type { Gene, Genome } from './ga';

export class SpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpaceError';
  }
}

type Obj = { [k: string]: Json };

function segments(path: string): string[] {
  return path.split('.');
}

export function getAt(value: Json, path: string): Json | undefined {
  let cur: Json | undefined = value;
  for (const s of segments(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(s)] : cur[s];
  }
  return cur;
}

/** A copy of `value` with `path` set (objects created on the way). */
export function setAt(value: Json, path: string, v: Json): Json {
  const parts = segments(path);
  // JSON copy: structuredClone does not exist in the workflow sandbox.
  const root: Json = JSON.parse(JSON.stringify(value)) as Json;
  let cur = root as Obj | Json[];
  parts.forEach((s, i) => {
    const last = i === parts.length - 1;
    const key = Array.isArray(cur) ? Number(s) : s;
    if (last) {
      (cur as Record<string | number, Json>)[key] = v;
      return;
    }
    const next = (cur as Record<string | number, Json>)[key];
    if (next === null || typeof next !== 'object') (cur as Record<string | number, Json>)[key] = {};
    cur = (cur as Record<string | number, Json>)[key] as Obj | Json[];
  });
  return root;
}

/** The params of a strategy as it parses them (defaults filled in). Throws SpaceError with the problems. */
export function effectiveParams(strategy: AnyStrategy, base: unknown): Json {
  const r = strategy.params.safeParse(base ?? {});
  if (!r.success)
    throw new SpaceError(
      `invalid --params for ${strategy.id}: ${r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`,
    );
  return r.data as Json;
}

/**
 * The schema's complaint when `path` is set to `v` (other params as in `params`), or null when it
 * accepts it. A cross-field rule names the other param in its issue (rsiN2Max = 10 below the
 * base's rsiN2Min: the issue is at rsiN2Min): with valid `params`, every issue is the value's
 * doing and counts, told with its path.
 */
export function refusal(strategy: AnyStrategy, params: Json, path: string, v: Json): string | null {
  const r = strategy.params.safeParse(setAt(params, path, v));
  if (r.success) return null;
  const mine = r.error.issues.filter((i) => {
    const at = i.path.join('.');
    // A strict object names the unknown key in the issue, not in its path.
    if (i.code === 'unrecognized_keys') return i.keys.some((k) => (at === '' ? k : `${at}.${k}`) === path);
    return at === path || at.startsWith(`${path}.`);
  });
  if (mine.length > 0)
    return mine.map((i) => (i.code === 'unrecognized_keys' ? 'no such param' : i.message)).join('; ');
  // Params already refused without the change: the other issues are not this value's.
  if (!strategy.params.safeParse(params).success) return null;
  return r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
}

function decimals(x: number): number {
  const s = String(x);
  if (s.includes('e-')) return Number(s.split('e-')[1]) + (s.split('e-')[0]!.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

/** The JSON value a gene gives the strategy. */
export function geneValue(gene: Gene, v: number): Json {
  switch (gene.type) {
    case 'choice':
      return gene.choices[v] ?? null;
    case 'int':
      return Math.round(v);
    case 'float':
      return v;
    case 'decimal': {
      const places = Math.min(12, Math.max(gene.step !== null ? decimals(gene.step) : 8, decimals(gene.min)));
      const s = v.toFixed(places);
      return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
    }
  }
}

/** The strategy params of a genome: the base params with each gene's value set. */
export function paramsOf(genes: readonly Gene[], genome: Genome, base: Json): Json {
  let p = base;
  genes.forEach((g, i) => {
    p = setAt(p, g.path, geneValue(g, genome[i]!));
  });
  return p;
}

/** The searched values by path (reports, the bot definition's explanation). */
export function valuesOf(genes: readonly Gene[], genome: Genome): Record<string, Json> {
  return Object.fromEntries(genes.map((g, i) => [g.path, geneValue(g, genome[i]!)]));
}

/** 1, 2 or 5 × 10^k, the nearest at or below x. */
function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  const m = x / p;
  return Number(((m >= 5 ? 5 : m >= 2 ? 2 : 1) * p).toPrecision(12));
}

/** Numeric leaves of the params: [path, value as a number, kind]. */
function numericLeaves(value: Json, prefix = ''): Array<{ path: string; value: number; kind: 'number' | 'decimal' }> {
  const out: Array<{ path: string; value: number; kind: 'number' | 'decimal' }> = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...numericLeaves(v, `${prefix}${i}.`)));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...numericLeaves(v, `${prefix}${k}.`));
  else if (typeof value === 'number' && Number.isFinite(value))
    out.push({ path: prefix.slice(0, -1), value, kind: 'number' });
  else if (typeof value === 'string' && isDecimalString(value) && prefix !== '')
    out.push({ path: prefix.slice(0, -1), value: Number(value), kind: 'decimal' });
  return out;
}

/** Whole numbers only: every fractional value near v is refused (one accepted is enough for a float). */
function isInteger(strategy: AnyStrategy, params: Json, path: string, v: number): boolean {
  return [0.5, -0.5, 0.25, -0.25, 0.1, -0.1, 0.01, -0.01].every(
    (off) => refusal(strategy, params, path, v + off) !== null,
  );
}

function encode(kind: 'int' | 'float' | 'decimal', v: number): Json {
  return kind === 'decimal' ? geneValue({ path: '', type: 'decimal', min: 0, max: 0, step: null }, v) : v;
}

/** Move `bad` toward `good` until the schema accepts it (a few bisection steps). */
function shrink(
  strategy: AnyStrategy,
  params: Json,
  path: string,
  kind: 'int' | 'float' | 'decimal',
  good: number,
  bad: number,
): number {
  if (refusal(strategy, params, path, encode(kind, bad)) === null) return bad;
  let ok = good;
  let no = bad;
  for (let i = 0; i < 30; i++) {
    let mid = (ok + no) / 2;
    if (kind === 'int') mid = ok < no ? Math.floor(mid) : Math.ceil(mid);
    if (mid === ok || mid === no) break;
    if (refusal(strategy, params, path, encode(kind, mid)) === null) ok = mid;
    else no = mid;
  }
  return ok;
}

/** [min, max] moved toward `current` until the schema accepts each, snapped inward onto min0 + k × step. */
function clipToSchema(
  strategy: AnyStrategy,
  params: Json,
  path: string,
  kind: 'int' | 'float' | 'decimal',
  current: number,
  min0: number,
  max0: number,
  step: number,
): [number, number] {
  const at = (k: number): number => Number((min0 + k * step).toFixed(Math.max(decimals(step), decimals(min0))));
  const accepted = (x: number): boolean => refusal(strategy, params, path, encode(kind, x)) === null;
  // The bisection ends a hair inside the accepted side: the grid point next to it, outward, may be accepted too.
  const onGrid = (x: number, up: boolean): number => {
    const k = (x - min0) / step;
    const inner = up ? Math.ceil(k - 1e-9) : Math.floor(k + 1e-9);
    const outer = up ? inner - 1 : inner + 1;
    return at(outer) >= min0 && at(outer) <= max0 && accepted(at(outer)) ? at(outer) : at(inner);
  };
  let min = min0;
  let max = max0;
  if (!accepted(min)) min = onGrid(shrink(strategy, params, path, kind, current, min), true);
  if (!accepted(max)) max = onGrid(shrink(strategy, params, path, kind, current, max), false);
  // Still refused (no grid point between the bound and the current value): an empty range, skipped by the caller.
  if (!accepted(min) || !accepted(max)) return [min, min];
  return [min, max];
}

function documentedBounds(strategyId: string, path: string): readonly [number, number, number?] | undefined {
  return STRATEGY_BOUNDS[strategyId]?.bounds?.[path] ?? SHARED_BOUNDS.find((b) => b.pattern.test(path))?.bounds;
}

export interface DefaultSpace {
  readonly genes: Gene[];
  /** Numeric params left out, and why. */
  readonly skipped: { readonly path: string; readonly reason: string }[];
}

/** Every numeric param of the strategy's params, within documented (else generic) bounds. */
export function defaultSpace(strategy: AnyStrategy, base: unknown): DefaultSpace {
  const params = effectiveParams(strategy, base);
  const genes: Gene[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const excluded = new Set(STRATEGY_BOUNDS[strategy.id]?.exclude ?? []);
  for (const leaf of numericLeaves(params)) {
    const name = leaf.path.split('.').pop()!;
    if (
      excluded.has(leaf.path) ||
      EXCLUDED_NAMES.includes(name) ||
      EXCLUDED_PREFIXES.some((p) => leaf.path.startsWith(p))
    ) {
      skipped.push({
        path: leaf.path,
        reason: 'size, price level, data length or exchange setting: not a strategy property',
      });
      continue;
    }
    const type: 'int' | 'float' | 'decimal' =
      leaf.kind === 'decimal' ? 'decimal' : isInteger(strategy, params, leaf.path, leaf.value) ? 'int' : 'float';
    const documented = documentedBounds(strategy.id, leaf.path);
    let min: number;
    let max: number;
    let step: number;
    if (documented) {
      [min, max] = documented;
      step = documented[2] ?? (type === 'int' ? 1 : niceStep((max - min) / 100));
      // Documented bounds suit the defaults; other base params (a user's --params) can make a bound
      // cross another param (rsiN2Min above the base's rsiN2Max): clip it to what the schema
      // accepts there, staying on the step grid, so every bound alone is a valid strategy.
      [min, max] = clipToSchema(strategy, params, leaf.path, type, leaf.value, min, max, step);
    } else {
      // Generic: half to twice the current value, within what the schema accepts.
      const v = leaf.value;
      const lo = v === 0 ? 0 : v > 0 ? v / 2 : v * 2;
      const hi = v === 0 ? 1 : v > 0 ? v * 2 : v / 2;
      min = shrink(strategy, params, leaf.path, type, v, type === 'int' ? Math.floor(lo) : lo);
      max = shrink(strategy, params, leaf.path, type, v, type === 'int' ? Math.ceil(hi) : hi);
      step = type === 'int' ? 1 : niceStep((max - min) / 100);
      if (type !== 'int') {
        min = Math.ceil(min / step - 1e-9) * step;
        max = Math.floor(max / step + 1e-9) * step;
        min = Number(min.toFixed(decimals(step)));
        max = Number(max.toFixed(decimals(step)));
      }
    }
    if (!(max > min)) {
      skipped.push({ path: leaf.path, reason: `the schema accepts no range around ${leaf.value}` });
      continue;
    }
    genes.push({ path: leaf.path, type, min, max, step });
  }
  return { genes, skipped };
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const asNum = (x: unknown): number | null =>
  isNum(x) ? x : typeof x === 'string' && isDecimalString(x) ? Number(x) : null;

/**
 * `--space` JSON: `{"path": [min, max] | [min, max, step] | [choice, ...] | {"choices": [...]}}`.
 * An array of two or three numbers is a range; any other array is a list of choices (write
 * `{"choices": [5, 10, 20]}` for three numeric choices). Every bound and choice must be accepted by
 * the strategy's schema.
 */
export function parseSpace(raw: unknown, strategy: AnyStrategy, base: unknown): Gene[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new SpaceError(
      '--space: expected an object such as {"takeProfitPct": [0.2, 3, 0.1], "everyCandles": [1, 10]}',
    );
  }
  const params = effectiveParams(strategy, base);
  const genes: Gene[] = [];
  for (const [path, spec] of Object.entries(raw as Record<string, unknown>)) {
    const where = `--space: ${path}`;
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path))
      throw new SpaceError(`${where}: not a param path (dot-separated names, such as long1.stopLossPct)`);
    const choices = Array.isArray(spec)
      ? spec
      : spec !== null && typeof spec === 'object' && Array.isArray((spec as { choices?: unknown }).choices)
        ? (spec as { choices: unknown[] }).choices
        : null;
    if (!choices) throw new SpaceError(`${where}: expected [min, max], [min, max, step] or a list of choices`);
    const range =
      Array.isArray(spec) &&
      (spec.length === 2 || spec.length === 3) &&
      spec.every((x) => asNum(x) !== null) &&
      spec.every((x) => isNum(x) || typeof x === 'string');
    const current = getAt(params, path);
    if (range) {
      const [min, max, step] = spec.map((x) => asNum(x)!) as [number, number, number | undefined];
      if (!(max > min)) throw new SpaceError(`${where}: max (${max}) must be above min (${min})`);
      if (step !== undefined && !(step > 0 && step <= max - min))
        throw new SpaceError(`${where}: step must be above 0 and at most max - min`);
      // The param's kind: what it holds now, else what the schema accepts.
      const wantsString =
        typeof current === 'string' ||
        (current === undefined &&
          refusal(strategy, params, path, min) !== null &&
          refusal(strategy, params, path, encode('decimal', min)) === null);
      const type: 'int' | 'float' | 'decimal' = wantsString
        ? 'decimal'
        : isInteger(strategy, params, path, Math.round(min))
          ? 'int'
          : 'float';
      if (
        type === 'int' &&
        (!Number.isInteger(min) || !Number.isInteger(max) || (step !== undefined && !Number.isInteger(step)))
      )
        throw new SpaceError(`${where}: a whole-number param: give whole bounds and step`);
      for (const [label, v] of [
        ['min', min],
        ['max', max],
      ] as const) {
        const why = refusal(strategy, params, path, encode(type, v));
        if (why !== null) throw new SpaceError(`${where}: ${label} ${v} is refused by ${strategy.id}: ${why}`);
      }
      genes.push({ path, type, min, max, step: step ?? (type === 'int' ? 1 : null) });
    } else {
      if (choices.length < 2) throw new SpaceError(`${where}: give at least two choices`);
      for (const c of choices) {
        const why = refusal(strategy, params, path, c as Json);
        if (why !== null)
          throw new SpaceError(`${where}: choice ${JSON.stringify(c)} is refused by ${strategy.id}: ${why}`);
      }
      genes.push({ path, type: 'choice', choices: choices as Json[] });
    }
  }
  return genes;
}
