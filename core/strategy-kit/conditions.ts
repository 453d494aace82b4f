/**
 * Conditions written as data: each helper compares a value with its bounds and writes the rule as
 * the seeds write it ("RSI N-1 40 < 40", "10 <= RSI N-2 20 <= 26", "1 < V N-1 / V N-2 = 1.5 <= 1.8"),
 * so an entry list is one line per condition and its text can never disagree with its test. A
 * value that is a number (an indicator) is compared as a float and shown rounded; decimal strings
 * (volumes, prices) are compared exactly and shown as they are. Bounds are shown as given. Pure.
 */
import { type Dec, cmp, gte, lte } from '../decimal';
import { round } from './journal';
import { type Condition, movePct, ratio } from './rules';

export type Op = '<' | '<=' | '>' | '>=';

type Value = number | Dec;

/** Does a sign (from a comparison of x with y) satisfy `x op y`? */
function holds(sign: number, op: Op): boolean {
  switch (op) {
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  return cmp(a, b);
}

const shown = (v: Value): string => String(typeof v === 'number' ? round(v) : v);

/**
 * `label value op bound`: "RSI N-1 40 < 40". `boundText` replaces the bound's text when the bound
 * is itself named ("Volume N-1 100 > Volume N-2 100", "RSI 41 >= entry RSI 39 + 1.5").
 */
export function is(label: string, value: Value, op: Op, bound: Value, boundText = String(bound)): Condition {
  return { rule: `${label} ${shown(value)} ${op} ${boundText}`, ok: holds(compare(value, bound), op) };
}

/** `low op1 label value op2 high`, both comparisons holding: "10 <= RSI N-2 20 <= 26" (or "26 >= RSI N-2 20 >= 10"). */
export function within(low: Value, op1: Op, label: string, value: Value, op2: Op, high: Value): Condition {
  return {
    rule: `${low} ${op1} ${label} ${shown(value)} ${op2} ${high}`,
    ok: holds(compare(low, value), op1) && holds(compare(value, high), op2),
  };
}

/**
 * A ratio a / b between two bounds, compared exactly (rules.ts `ratio`); never met when b is not
 * positive: "1 < V N-1 / V N-2 = 1.5 <= 1.8".
 */
export function ratioWithin(low: Dec, op1: Op, label: string, a: Dec, b: Dec, op2: Op, high: Dec): Condition {
  const r = ratio(a, b);
  return {
    rule: `${low} ${op1} ${label} ${r.shown} ${op2} ${high}`,
    ok: r.positive && holds(-r.cmp(low), op1) && holds(r.cmp(high), op2),
  };
}

/** The first condition that holds (an exit list read in order), or null. */
export function firstHeld(conditions: readonly Condition[]): Condition | null {
  return conditions.find((c) => c.ok) ?? null;
}

/**
 * A stop-loss on the close, in percent of the entry close: a long stops once the close fell `pct` %
 * or more, a short once it rose `pct` % or more ("stop-loss long1: close 99.2 is -0.8% from entry
 * close 100 (<= -0.7%)").
 */
export function closeStop(label: string, short: boolean, entryClose: Dec, close: Dec, pct: Dec): Condition {
  const move = movePct(entryClose, close);
  const text = `${label}: close ${close} is ${short ? '+' : ''}${round(Number(move))}% from entry close ${entryClose}`;
  return short
    ? { rule: `${text} (>= ${pct}%)`, ok: gte(move, pct) }
    : { rule: `${text} (<= -${pct}%)`, ok: lte(move, `-${pct}`) };
}
