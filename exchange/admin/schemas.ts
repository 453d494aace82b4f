/**
 * What the admin endpoints accept: strict schemas (unknown fields refused), decimals as plain
 * strings (no exponent, no sign, so neither -1 nor 1e400 passes), amounts and prices positive,
 * assets and names from a small alphabet (no path-like strings), bounded sizes everywhere.
 */
import { z } from 'zod';
import { CANDLE_INTERVALS } from '../../core/market';
import { FAULT_KINDS } from '../faults';

const DECIMAL = /^[0-9]{1,20}(\.[0-9]{1,20})?$/;
const positive = (what: string) =>
  z
    .string()
    .regex(DECIMAL, `${what} must be a plain decimal string such as "30000.5"`)
    .refine((v) => /[1-9]/.test(v), `${what} must be greater than 0`);
const nonNegative = (what: string) =>
  z.string().regex(DECIMAL, `${what} must be a plain decimal string such as "0.5" (≥ 0)`);

export const symbolName = z
  .string()
  .regex(/^[A-Z0-9]{2,20}$/, 'symbol must be 2-20 upper-case letters or digits, e.g. BTCUSDT');
export const assetName = z
  .string()
  .regex(/^[A-Z0-9]{1,20}$/, 'asset must be 1-20 upper-case letters or digits, e.g. USDT');
const keyText = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, `${what} must be 8-128 characters of [A-Za-z0-9_-]`);
const regexSource = z
  .string()
  .max(200)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');
const endpointName = z
  .string()
  .regex(/^(\*|(GET|POST|PUT|DELETE) \/[A-Za-z0-9/]{1,100})$/, "endpoint must be 'METHOD /path' or '*'");

export const faultRule = z
  .object({
    kind: z.enum(FAULT_KINDS as unknown as [string, ...string[]], {
      message: `unknown fault kind; known: ${FAULT_KINDS.join(', ')}`,
    }),
    match: z
      .object({
        endpoint: z.union([endpointName, z.array(endpointName).max(20)]).optional(),
        clientOrderId: regexSource.optional(),
        symbol: symbolName.optional(),
        accountId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
        eventType: z
          .string()
          .regex(/^[A-Za-z]{1,40}$/)
          .optional(),
        stream: regexSource.optional(),
      })
      .strict()
      .optional(),
    count: z.number().int().min(-1).max(1_000_000).optional(),
    status: z.number().int().min(400).max(599).optional(),
    body: z.enum(['json', 'html']).optional(),
    code: z.number().int().min(-99_999).max(-1).optional(),
    afterMs: z.number().int().min(0).max(600_000).optional(),
    executeDelayMs: z.number().int().min(0).max(600_000).optional(),
    ms: z.number().int().min(0).max(600_000).optional(),
    phase: z.enum(['before', 'after']).optional(),
    retryAfterSec: z.number().int().min(0).max(86_400).optional(),
    flushMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();

export const cutBody = z.object({ which: z.enum(['market', 'user', 'all']).optional() }).strict();
export const freezeBody = z.object({ ms: z.number().int().min(1).max(3_600_000).optional() }).strict();
export const priceBody = z
  .object({ symbol: symbolName, price: positive('price'), qty: nonNegative('qty').optional() })
  .strict();
export const burstBody = z
  .object({
    symbol: symbolName,
    count: z.number().int().min(1).max(1_000_000),
    price: positive('price').optional(),
    step: positive('step').optional(),
  })
  .strict();
export const candleCloseBody = z
  .object({ symbol: symbolName, interval: z.enum(CANDLE_INTERVALS as unknown as [string, ...string[]]) })
  .strict();
export const accountBody = z
  .object({
    apiKey: keyText('apiKey'),
    apiSecret: keyText('apiSecret'),
    balances: z
      .record(assetName, positive('balance'))
      .refine((b) => Object.keys(b).length <= 50, 'at most 50 balances')
      .optional(),
    futuresBalances: z
      .record(assetName, positive('balance'))
      .refine((b) => Object.keys(b).length <= 10, 'at most 10 futures balances')
      .optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'name must be 1-64 characters of [A-Za-z0-9_-]')
      .optional(),
  })
  .strict();
/** Deposits and withdrawals are separate and both positive: a "negative deposit" is not a thing. */
export const transferBody = z
  .object({ apiKey: z.string().min(1).max(128), asset: assetName, amount: positive('amount') })
  .strict();
export const emptyBody = z.object({}).strict();
/** A funding rate may be negative: a signed plain decimal, at most ±0.03 (Binance's usual cap is ±0.3 %–2 %). */
const signedRate = z
  .string()
  .regex(/^-?[0-9]{1,2}(\.[0-9]{1,8})?$/, 'rate must be a plain decimal string such as "0.0001" or "-0.0002"')
  .refine((v) => Math.abs(Number(v)) <= 0.03, 'rate must be between -0.03 and 0.03');
export const markBody = z.object({ symbol: symbolName, price: positive('price').nullable() }).strict();
export const fundingBody = z.object({ symbol: symbolName, rate: signedRate }).strict();

export const auditQuery = {
  clientOrderId: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/),
  accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
};

/** `a.b: message; c: message` — where and what, for the 400 answer. */
export function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}
