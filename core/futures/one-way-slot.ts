/**
 * Binance USDⓈ-M in one-way mode (positionSide BOTH) keeps one position per account and symbol:
 * two futures bots on the same account + symbol would each read, add to and close the other's
 * position, and cancel each other's protective stop. So at most one futures bot holds a slot.
 * A spot bot on the same symbol trades a different book and is no clash. Pure.
 */

/** What the check needs of a bot: its definition's name, account, symbol and market. */
export interface SlotHolder {
  readonly name: string;
  readonly account: string;
  readonly symbol: string;
  readonly market?: string;
}

/** Account + symbol of a futures bot's position, or null for a spot bot (no shared position). */
export function futuresSlotOf(bot: SlotHolder): string | null {
  if (bot.market !== 'futures') return null;
  return `${bot.account}\u0000${bot.symbol.toUpperCase()}`;
}

export function futuresSlotClash(bot: SlotHolder, other: SlotHolder, otherWhere: string): string {
  return (
    `bot "${bot.name}": futures account "${bot.account}" symbol ${bot.symbol.toUpperCase()} is already traded by ` +
    `futures bot "${other.name}" (${otherWhere}); in one-way mode the exchange keeps one position per account and ` +
    `symbol, so two bots would trade each other's position. Stop "${other.name}" or use another account`
  );
}

/**
 * The bots of `candidates` that would share a futures position with a bot of `holders` (already
 * running) or with an earlier candidate. A bot is never its own clash (a restart of the same name).
 */
export function futuresSlotProblems(
  candidates: readonly SlotHolder[],
  holders: readonly (SlotHolder & { readonly where: string })[],
  candidateWhere: (index: number) => string = (i) => `bot #${i + 1} of the same start`,
): string[] {
  const taken = new Map<string, SlotHolder & { readonly where: string }>();
  for (const h of holders) {
    const slot = futuresSlotOf(h);
    if (slot !== null && !taken.has(slot)) taken.set(slot, h);
  }
  const problems: string[] = [];
  candidates.forEach((bot, i) => {
    const slot = futuresSlotOf(bot);
    if (slot === null) return;
    const other = taken.get(slot);
    if (other !== undefined && other.name.toLowerCase() !== bot.name.toLowerCase()) {
      problems.push(futuresSlotClash(bot, other, other.where));
      return;
    }
    if (other === undefined) taken.set(slot, { ...bot, where: candidateWhere(i) });
  });
  return problems;
}
