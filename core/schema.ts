/** zod building blocks for params and configs: decimal strings for money, clear messages. Pure. */
import { z } from 'zod';
import { isDecimalString, isPositive, isNegative } from './decimal';

/** A decimal written as a string ("0.001"). Numbers are refused: floats must never carry money. */
export const decimalString = z
  .string({ error: 'must be a decimal string such as "0.001" (quotes included: amounts are never JSON numbers)' })
  // abort: zod 4 runs the next refinements after a failed one, and those parse the value as a decimal.
  .refine(isDecimalString, { message: 'must be a plain decimal such as "12.5" (no exponent, no spaces)', abort: true });

export const positiveDecimal = decimalString.refine(isPositive, { message: 'must be greater than 0' });

export const nonNegativeDecimal = decimalString.refine((v) => !isNegative(v), { message: 'must not be negative' });

/** A percentage as a decimal string: "1.5" means 1.5 %. */
export const percent = positiveDecimal.refine((v) => Number(v) < 1000, { message: 'must be a percentage below 1000' });

export const positiveInt = z.number().int().positive();

/** Render zod issues as "path.to.field: message" lines. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return path ? `${path}: ${message}` : message;
  });
}
