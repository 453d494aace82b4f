/**
 * The paper exchange's state file: accounts, the venue, recent candles, the audit and the futures
 * side in one JSON document, written atomically (persistence.ts) and reloaded on start.
 */
import type { VenueSnapshot } from '../venue';
import type { AccountEntry } from './accounts';
import type { AuditState } from './audit';
import type { FuturesPersisted } from './futures/side';
import type { Kline } from './market/candles';
import { loadJson } from './persistence';

export interface PersistedState {
  readonly version: 1;
  readonly savedAt: number;
  readonly accounts: AccountEntry[];
  readonly venue: VenueSnapshot;
  readonly candles: Kline[];
  readonly audit: AuditState;
  readonly futures?: FuturesPersisted;
}

/** Closed candles per series and audit entries per list kept in the state file. */
export const PERSISTED_CANDLES = 500;
export const PERSISTED_AUDIT = 20_000;

export function loadState(file: string | undefined): PersistedState | undefined {
  return file ? loadJson<PersistedState>(file) : undefined;
}

export interface StateSources {
  readonly now: () => number;
  readonly accounts: () => AccountEntry[];
  readonly venue: () => VenueSnapshot;
  readonly candles: (limit: number) => Kline[];
  readonly audit: (limit: number) => AuditState;
  readonly futures: () => FuturesPersisted;
}

/**
 * The state file's text, rendered on demand. Candles change on every tick but matter little after
 * a restart: their JSON is rebuilt at most once a minute (or when `force`), while orders and
 * balances are rendered fresh every time.
 */
export function stateFileText(src: StateSources): (force: boolean) => string {
  let candlesJson = '';
  let candlesAt = Number.NEGATIVE_INFINITY;
  const candlesText = (force: boolean) => {
    if (force || src.now() - candlesAt > 60_000) {
      candlesJson = JSON.stringify(src.candles(PERSISTED_CANDLES));
      candlesAt = src.now();
    }
    return candlesJson;
  };
  return (force) => {
    const rest: Omit<PersistedState, 'candles'> = {
      version: 1,
      savedAt: src.now(),
      accounts: src.accounts(),
      venue: src.venue(),
      audit: src.audit(PERSISTED_AUDIT),
      futures: src.futures(),
    };
    return `${JSON.stringify(rest).slice(0, -1)},"candles":${candlesText(force)}}`;
  };
}
