/**
 * zod building blocks for params, configs and messages: decimal strings for money, bounded sizes,
 * and messages that say what is wrong with the value given (never an exception: a check that
 * throws inside `safeParse` escapes as a bare `DecimalError` naming no field). Pure.
 */
import { z } from 'zod';
import { d, isDecimalString } from './decimal';

/**
 * Longest decimal string accepted anywhere: Binance prices and quantities have at most 8 decimals
 * and 12 integer digits; 40 leaves room and keeps a 100,000-digit "quantity" out of every state,
 * history and log line.
 */
export const MAX_DECIMAL_LENGTH = 40;

/** A short, printable rendering of any value for an error message (never the whole of a huge one). */
export function preview(value: unknown, max = 40): string {
  let text: string;
  try {
    // JSON.stringify gives undefined for a function or a symbol (never in JSON input): name its kind.
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** What kind of JSON value this is, for "must be X, not Y" messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${preview(value)}`;
  if (typeof value === 'string') return `the text ${preview(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** Why a string is not a plain decimal ("12.5"), in words a user can act on; null when it is one. */
export function decimalProblem(value: string): string | null {
  if (value === '') return 'is empty: give a decimal such as "0.001"';
  if (value.length > MAX_DECIMAL_LENGTH)
    return `is ${value.length} characters long; at most ${MAX_DECIMAL_LENGTH} are allowed`;
  if (isDecimalString(value)) return null;
  if (/\s/.test(value)) return `has spaces in it (${preview(value)}): write it without spaces, such as "0.001"`;
  if (/^-?[0-9]+,[0-9]+$/.test(value))
    return `uses a comma (${preview(value)}): write the decimal with a dot, such as "1.5"`;
  if (/^-?[0-9.]+[eE][-+]?[0-9]+$/.test(value))
    return `uses an exponent (${preview(value)}): write it in full, such as "0.0001"`;
  if (/\p{Nd}/u.test(value) && !/^[-0-9.]+$/.test(value)) return `must use the digits 0-9 only (got ${preview(value)})`;
  return `must be a plain decimal such as "12.5" (got ${preview(value)})`;
}

const decimalTypeError = (iss: { input: unknown }): string =>
  iss.input === undefined
    ? 'is required'
    : typeof iss.input === 'number'
      ? `must be a decimal string such as "${Number.isFinite(iss.input) ? iss.input : '0.001'}", in quotes (amounts are never JSON numbers), not ${kindOf(iss.input)}`
      : `must be a decimal string such as "0.001", not ${kindOf(iss.input)}`;

/** A decimal written as a string ("0.001"). Numbers are refused: floats must never carry money. */
export const decimalString = z.string({ error: decimalTypeError }).superRefine((v, ctx) => {
  const problem = decimalProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A decimal string checked against bounds; every check is skipped for a value that is no decimal (already reported). */
export function boundedDecimal(
  bounds: { readonly gt?: string; readonly gte?: string; readonly lt?: string; readonly lte?: string },
  message: string,
) {
  return decimalString.refine(
    (v) => {
      if (!isDecimalString(v) || v.length > MAX_DECIMAL_LENGTH) return true;
      const x = d(v);
      return (
        (bounds.gt === undefined || x.gt(bounds.gt)) &&
        (bounds.gte === undefined || x.gte(bounds.gte)) &&
        (bounds.lt === undefined || x.lt(bounds.lt)) &&
        (bounds.lte === undefined || x.lte(bounds.lte))
      );
    },
    { message },
  );
}

export const positiveDecimal = boundedDecimal({ gt: '0' }, 'must be greater than 0');

export const nonNegativeDecimal = boundedDecimal({ gte: '0' }, 'must not be negative');

/** A distance or target in percent: "1.5" means 1.5 % (a take-profit may lie well above 100 %). */
export const percent = boundedDecimal({ gt: '0', lt: '1000' }, 'must be a percentage above 0 and below 1000');

/** A share of something in percent (of a balance, of a peak): above 0 and at most 100. */
export const percentOfWhole = boundedDecimal({ gt: '0', lte: '100' }, 'must be a percentage above 0 and at most 100');

/** A fraction of a whole: above 0 and at most 1. */
export const fraction = boundedDecimal({ gt: '0', lte: '1' }, 'must be a fraction above 0 and at most 1');

const numberTypeError = (iss: { input: unknown }): string =>
  iss.input === undefined ? 'is required' : `must be a number, not ${kindOf(iss.input)}`;

/** A finite JSON number (1e309 parses to Infinity and is refused). */
export const finiteNumber = z.number({ error: numberTypeError });

/** A finite number from `min` to `max` (an indicator level, a change of one), with one message for both bounds. */
export function boundedNumber(min: number, max: number, message: string) {
  return z.number().finite().min(min, { message }).max(max, { message });
}

/** An RSI level (RSI lives between 0 and 100), and a change of RSI between two candles. */
export const rsiLevel = boundedNumber(0, 100, 'must be an RSI level from 0 to 100');
export const rsiChange = boundedNumber(0, 100, 'must be an RSI change from 0 to 100');

/** A stop-loss distance in percent of the entry: above 0 and below 100. */
export const stopPercent = boundedDecimal({ gt: '0', lt: '100' }, 'must be a percentage above 0 and below 100');

/** A taker fee rate kept out of a futures margin when sizing (0.0005 is Binance USDⓈ-M's base rate). */
export const feeRate = boundedDecimal(
  { gte: '0', lt: '0.1' },
  'must be a fee rate from 0 to below 0.1 (0.0005 is 0.05 %)',
);

/** A count: a whole number from 1 to a billion. */
export const positiveInt = z
  .number({ error: numberTypeError })
  .int({ message: 'must be a whole number' })
  .positive({ message: 'must be greater than 0' })
  .max(1_000_000_000, { message: 'must be at most 1,000,000,000' });

/** A string field with messages that tell a missing value from a value of the wrong type. */
export function text(what = 'a string') {
  return z.string({
    error: (iss) => (iss.input === undefined ? 'is required' : `must be ${what}, not ${kindOf(iss.input)}`),
  });
}

/** Render zod issues as "path.to.field: message" lines. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return flatten(error.issues, []).map(({ path, message }) => {
    const where = [prefix, ...path.map(String)].filter((p) => p !== '').join('.');
    return where ? `${where}: ${message}` : message;
  });
}

function flatten(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[],
): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return [{ path, message: `unknown field(s) ${issue.keys.map((k) => preview(k)).join(', ')}` }];
      case 'invalid_union': {
        if (issue.discriminator !== undefined) {
          const tags = ('options' in issue ? (issue.options ?? []) : []).map((o: unknown) => preview(o)).join(', ');
          const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
          return [{ path: at, message: tags ? `must be one of ${tags}` : issue.message }];
        }
        // A plain union ("max" or a sizing object): explain the branch that got furthest.
        const branches = issue.errors.filter((b) => b.length > 0);
        const depth = (b: readonly z.core.$ZodIssue[]) =>
          Math.max(...b.map((i) => i.path.length + (i.code === 'invalid_union' ? 1 : 0)));
        const best = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
        if (best && depth(best) > 0) return flatten(best, path);
        return [{ path, message: issue.message }];
      }
      default:
        return [{ path, message: issue.message }];
    }
  });
}
