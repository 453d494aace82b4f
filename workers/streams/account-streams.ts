/**
 * One stream per account this worker holds credentials for: open the missing ones, close the ones
 * no running bot needs any more. Accounts this worker does not hold belong to another worker.
 */
import type { AccountRegistry, ExchangeAccount } from '../../activities/exchange-account';

export function matchAccountStreams<S extends { close(): void }>(
  streams: Map<string, S>,
  wanted: ReadonlySet<string>,
  accounts: AccountRegistry,
  open: (account: ExchangeAccount) => S,
): void {
  for (const name of wanted) {
    if (streams.has(name)) continue;
    let account: ExchangeAccount;
    try {
      account = accounts.get(name);
    } catch {
      continue; // another worker serves that account
    }
    streams.set(name, open(account));
  }
  for (const [name, stream] of streams) {
    if (wanted.has(name)) continue;
    stream.close();
    streams.delete(name);
  }
}
