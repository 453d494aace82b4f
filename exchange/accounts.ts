/** API keys → venue accounts. */
import type { Dec } from '../core/decimal';

export interface AccountOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly balances?: Readonly<Record<string, Dec>>;
  /** The USDⓈ-M futures wallet (e.g. `{ USDT: '1000' }`); none by default. */
  readonly futuresBalances?: Readonly<Record<string, Dec>>;
  /** Venue account id (audit, events). Default: account-<n>. */
  readonly name?: string;
}

export interface AccountEntry {
  readonly name: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export const DEFAULT_ACCOUNT: AccountOptions = {
  apiKey: 'paper-api-key',
  apiSecret: 'paper-api-secret',
  balances: { USDT: '10000', BTC: '0', ETH: '0', BNB: '0' },
  futuresBalances: { USDT: '10000' },
  name: 'paper',
};

export class AccountRegistry {
  private readonly byKey = new Map<string, AccountEntry>();

  add(entry: AccountEntry): void {
    this.byKey.set(entry.apiKey, entry);
  }

  has(apiKey: string): boolean {
    return this.byKey.has(apiKey);
  }

  get(apiKey: string): AccountEntry | undefined {
    return this.byKey.get(apiKey);
  }

  /** For the WS API: secret and venue account of an API key. */
  byApiKey(apiKey: string): { apiSecret: string; accountId: string } | undefined {
    const e = this.byKey.get(apiKey);
    return e ? { apiSecret: e.apiSecret, accountId: e.name } : undefined;
  }

  list(): AccountEntry[] {
    return [...this.byKey.values()];
  }

  nextName(): string {
    return `account-${this.byKey.size + 1}`;
  }
}
