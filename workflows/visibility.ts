/**
 * What the Temporal Web UI and the stream service see of a bot: its search attributes (name,
 * strategy, symbol, status) and its memos (`bot`: routing for the stream service; `blocked`: why
 * it cannot trade). Each upsert is a history event, so only what changed is sent. Runs in the
 * workflow sandbox.
 */
import * as wf from '@temporalio/workflow';
import type { BotState } from '../core/kernel';
import type { BotMemo } from './messages';
import { BotNameKey, BotStatusKey, StrategyKey, SymbolKey } from './search-attributes';

export const FUTURES_MEMO_PATCH = 'memo-market-futures';

/**
 * `status` is the one to show (BLOCKED / REFUSED included); `routable`: streams may route to the
 * bot (only once it can trade, workflows/start-gate.ts).
 */
export function syncBotVisibility(
  state: BotState,
  status: string,
  blockedReason: string | null,
  routable: boolean,
): void {
  const current = wf.workflowInfo().typedSearchAttributes;
  const wanted = [
    { key: BotNameKey, value: state.setup.name },
    { key: StrategyKey, value: state.setup.strategy },
    { key: SymbolKey, value: state.setup.symbol },
    { key: BotStatusKey, value: status },
  ];
  // Each upsert is a history event: only send what changed.
  const changed = wanted.filter(({ key, value }) => current.get(key) !== value);
  if (changed.length > 0) wf.upsertSearchAttributes(changed);
  const memo: BotMemo = {
    tag: state.clientIdTag,
    account: state.setup.account,
    symbol: state.setup.symbol,
    interval: state.setup.interval,
    watches: state.watches,
    // Gated: a futures history recorded before the memo named the market replays its own memo
    // upserts unchanged; a live bot gets the field at its next step (workers/futures-streams.ts).
    ...(state.setup.market === 'futures' && wf.patched(FUTURES_MEMO_PATCH) ? { market: 'futures' as const } : {}),
  };
  const memos = wf.workflowInfo().memo ?? {};
  if (routable && JSON.stringify(memos.bot ?? null) !== JSON.stringify(memo)) wf.upsertMemo({ bot: memo });
  // Why it cannot trade, for the Web UI (a memo: no search attribute to register on the server).
  if ((memos.blocked ?? null) !== blockedReason) wf.upsertMemo({ blocked: blockedReason ?? undefined });
}
