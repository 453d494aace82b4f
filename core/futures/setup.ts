/**
 * What a futures bot adds to its definition: leverage, margin type and the protective stop's
 * distance. Set on the exchange idempotently at start (activities/futures-reconcile.ts) and
 * carried by the kernel's setup. Pure.
 */
import { z } from 'zod';
import { isDecimalString } from '../decimal';
import type { AnyStrategy } from '../strategy';

export const MARGIN_TYPES = ['ISOLATED', 'CROSSED'] as const;
export type FuturesMarginType = (typeof MARGIN_TYPES)[number];

export const futuresConfigSchema = z
  .object({
    /** Binance USDⓈ-M allows 1-125 (per symbol brackets may allow less; the exchange refuses more). */
    leverage: z
      .number({ error: 'must be a whole number 1-125' })
      .int('must be a whole number 1-125')
      .min(1, 'must be 1-125')
      .max(125, 'must be 1-125')
      .optional(),
    marginType: z.enum(MARGIN_TYPES, { error: `must be one of ${MARGIN_TYPES.join(', ')}` }).default('ISOLATED'),
    /**
     * Distance of the exchange-side stop that protects every open position, in percent of the
     * entry price. Default: half the way to liquidation (50 / leverage %, 5 % at 10x), so a dead
     * machine never leaves a leveraged position to be liquidated.
     */
    protectiveStopPct: z
      .string({ error: 'must be a decimal string such as "5"' })
      .refine(
        (v) => isDecimalString(v) && Number(v) > 0 && Number(v) < 100,
        'must be a decimal string above 0 and below 100, such as "5"',
      )
      .optional(),
  })
  .strict();

export type FuturesConfig = z.output<typeof futuresConfigSchema>;

/** The futures settings the kernel and the activities use, every default resolved. */
export interface FuturesSetup {
  readonly leverage: number;
  readonly marginType: FuturesMarginType;
  readonly protectiveStopPct: string;
}

/** The leverage a strategy's params ask for (rsi-sniper's `leverage`), when it has one. */
function paramsLeverage(params: unknown): number | undefined {
  const v = (params as { leverage?: unknown } | null)?.leverage;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function resolveFuturesSetup(config: FuturesConfig | undefined, params: unknown): FuturesSetup {
  const leverage = config?.leverage ?? paramsLeverage(params) ?? 1;
  return {
    leverage,
    marginType: config?.marginType ?? 'ISOLATED',
    protectiveStopPct: config?.protectiveStopPct ?? String(Math.round((50 / leverage) * 100) / 100),
  };
}

/**
 * Why a futures bot cannot run, or null. The futures runtime places MARKET and LIMIT orders
 * (exits reduce-only) and the protective STOP_MARKET; spot-only features are refused by name.
 */
export function futuresRefusal(
  strategy: AnyStrategy,
  params: unknown,
  config: FuturesConfig | undefined,
  onStop: string,
): string | null {
  if (!(strategy.markets ?? ['spot']).includes('futures')) {
    return `market: strategy ${strategy.id} does not run on futures yet (it places spot-only orders such as OCO lists or quote-sized buys); run it with "market": "spot"`;
  }
  if (strategy.extraSymbols && strategy.extraSymbols(params).length > 0)
    return 'market: a multi-symbol strategy does not run on futures yet';
  const fromParams = paramsLeverage(params);
  if (config?.leverage !== undefined && fromParams !== undefined && fromParams !== config.leverage) {
    return `futures.leverage: ${config.leverage} differs from params.leverage ${fromParams}, which the strategy sizes with; set one of them`;
  }
  if (onStop === 'close-position')
    return 'onStop: "close-position" is not supported on futures yet (the protective stop stays on the exchange); use "cancel-orders" or "leave-orders"';
  return null;
}
