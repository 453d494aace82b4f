/**
 * Rules that explain themselves: an entry or exit is a list of named conditions, each with the
 * values it was evaluated on, so the decision journal and the `state` query show which one held
 * and which failed ("RSI N-1 40 < 40"). Also the cross-field check params need when a range has
 * a low and a high bound. Pure.
 */
import { z } from 'zod';
import { type Dec, type Decimal, d, str } from '../decimal';
import { round } from './journal';

export interface Condition {
  readonly rule: string;
  readonly ok: boolean;
}

export interface Check {
  readonly ok: boolean;
  readonly conditions: readonly Condition[];
}

/** All conditions must hold (a strict AND, every condition kept for the explanation). */
export function check(conditions: Condition[]): Check {
  return { ok: conditions.every((c) => c.ok), conditions };
}

/** Every named check evaluated on one event (with what the strategy adds), kept for the `state` query. */
export type Evaluation<Extra = object> = {
  readonly time: number;
  readonly checks: Readonly<Record<string, Check>>;
} & Extra;

/** The rules of a check that failed, as written. */
export function failedRules(c: Check): string[] {
  return c.conditions.filter((x) => !x.ok).map((x) => x.rule);
}

type Bound = { readonly key: string; readonly value: number | string };

/**
 * Params cross-field rule: `low` must not exceed `high` (or stay below it when `strict`); an empty
 * range never matches, which would make a bot that silently never trades.
 */
export function ordered(ctx: z.RefinementCtx, low: Bound, high: Bound, strict = false): void {
  const a = Number(low.value);
  const b = Number(high.value);
  if (strict ? !(a < b) : !(a <= b)) {
    ctx.addIssue({
      code: 'custom',
      path: [low.key],
      message: `${low.value} must be ${strict ? 'below' : 'at most'} ${high.key} (${high.value}): the range is empty`,
    });
  }
}

/**
 * `.superRefine(issues((p) => [[bad, 'field', 'message'], ...]))`: cross-field rules of params,
 * each one that fails reported at its field.
 */
export function issues<T>(rules: (value: T) => readonly (readonly [boolean, string, string])[]) {
  return (value: T, ctx: z.RefinementCtx): void => {
    for (const [bad, path, message] of rules(value)) if (bad) ctx.addIssue({ code: 'custom', path: [path], message });
  };
}

/**
 * `.superRefine(orderedPairs([['min', 'max'], ['above', 'below', 'strict']]))`: each pair of
 * fields must be ordered (see `ordered`).
 */
export function orderedPairs<T extends Record<string, unknown>>(
  pairs: readonly (readonly [keyof T & string, keyof T & string, 'strict'?])[],
) {
  return (value: T, ctx: z.RefinementCtx): void => {
    for (const [low, high, strict] of pairs) {
      ordered(
        ctx,
        { key: low, value: value[low] as number | string },
        { key: high, value: value[high] as number | string },
        strict === 'strict',
      );
    }
  };
}

/** A range of two fields as it reads: "min <= max", or "above < below" for a strict one. */
export type RangeRule<K extends string> = `${K} <= ${K}` | `${K} < ${K}`;

/**
 * `strictRanges(['min <= max', 'above < below'], { ...fields })`: a strict params object whose
 * ranges must not be empty (`orderedPairs`, a `<` range strict): the usual shape of a list of entry
 * conditions with low and high bounds.
 */
export function strictRanges<Shape extends z.ZodRawShape>(
  ranges: readonly RangeRule<keyof Shape & string>[],
  shape: Shape,
) {
  type K = keyof z.output<z.ZodObject<Shape>> & string;
  const pairs = ranges.map((r) => {
    const [low, op, high] = r.split(' ') as [K, '<' | '<=', K];
    return op === '<' ? ([low, high, 'strict'] as const) : ([low, high] as const);
  });
  return z.object(shape).strict().superRefine(orderedPairs<z.output<z.ZodObject<Shape>>>(pairs));
}

/**
 * A ratio a / b compared exactly without dividing (a / b <= k  <=>  a <= k * b for b > 0); the
 * ratio itself only shown, rounded ("n/a" when b is not positive).
 */
export function ratio(
  a: Dec,
  b: Dec,
): {
  readonly a: Decimal;
  readonly b: Decimal;
  readonly positive: boolean;
  readonly shown: string;
  cmp(k: Dec): number;
} {
  const x = d(a);
  const y = d(b);
  const positive = y.greaterThan(0);
  return {
    a: x,
    b: y,
    positive,
    shown: positive ? String(round(Number(a) / Number(b))) : 'n/a',
    cmp: (k) => x.comparedTo(y.times(k)),
  };
}

/** Signed move from `from` to `to`, in percent of `from` (positive = up). */
export function movePct(from: Dec, to: Dec): Dec {
  return str(d(to).minus(from).dividedBy(from).times(100));
}
