/**
 * Search attributes shown and filterable in the Temporal Web UI. Shared by the dev server
 * (registered at start), the client (set at start) and the workflow (updated on status change).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BotNameKey = defineSearchAttributeKey('BotName', SearchAttributeType.KEYWORD);
export const StrategyKey = defineSearchAttributeKey('Strategy', SearchAttributeType.KEYWORD);
export const SymbolKey = defineSearchAttributeKey('Symbol', SearchAttributeType.KEYWORD);
export const BotStatusKey = defineSearchAttributeKey('BotStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [BotNameKey, StrategyKey, SymbolKey, BotStatusKey] as const;

/** The CLI's name of each attribute type (`temporal server start-dev --search-attribute Name=Type`). */
const CLI_TYPE: Record<(typeof SEARCH_ATTRIBUTE_KEYS)[number]['type'], string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
};

/** The `--search-attribute Name=Type` pairs for `temporal server start-dev`, derived from the keys above. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: readonly { readonly name: string; readonly type: string }[] =
  SEARCH_ATTRIBUTE_KEYS.map((k) => ({
    name: k.name,
    type: CLI_TYPE[k.type],
  }));
