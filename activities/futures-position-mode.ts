/**
 * A futures bot trades one-way positions (positionSide BOTH). On an account in hedge mode (dual
 * side position, set in Binance's web UI or by POST /fapi/v1/positionSide/dual) positionRisk shows
 * LONG and SHORT rows only, so the bot would see no position, and every order or closePosition stop
 * it sends is refused with -4061. The start check reads GET /fapi/v1/positionSide/dual and refuses
 * such an account with what to do, instead of letting the bot trade blind.
 */
import type { PreflightProblem } from './preflight';

/** GET /fapi/v1/positionSide/dual: Binance's weight 30. */
export const POSITION_MODE_WEIGHT = 30;

export type PositionModeAnswer =
  | { readonly ok: true; readonly value: { readonly dualSidePosition?: unknown } }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** The problem the account's position mode makes for a one-way futures bot, or null when none. */
export function positionModeProblem(accountName: string, answer: PositionModeAnswer): PreflightProblem | null {
  if (!answer.ok)
    return {
      kind: 'credentials',
      field: 'account',
      message: `the exchange refused to tell account "${accountName}"'s futures position mode (${answer.code}: ${answer.message}); check that its API key may use USDⓈ-M futures`,
    };
  const dual = answer.value.dualSidePosition;
  if (dual === true || dual === 'true')
    return {
      kind: 'account',
      field: 'account',
      message:
        `account "${accountName}" is in hedge mode (dualSidePosition true): this bot trades one-way positions ` +
        `(positionSide BOTH), which a hedge-mode account refuses (-4061); switch account "${accountName}" to ` +
        `one-way mode (Binance: Futures > Preferences > Position Mode > One-way, or POST /fapi/v1/positionSide/dual ` +
        `dualSidePosition=false, with no open position or order) and the bot starts at its next check`,
    };
  return null;
}
