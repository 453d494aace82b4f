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

/** The `--search-attribute Name=Type` pairs for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_DEFINITIONS = [
  { name: 'BotName', type: 'Keyword' },
  { name: 'Strategy', type: 'Keyword' },
  { name: 'Symbol', type: 'Keyword' },
  { name: 'BotStatus', type: 'Keyword' },
] as const;
