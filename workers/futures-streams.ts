/**
 * The stream service's futures side: one USDⓈ-M user stream (./streams/futures-user-stream.ts) per
 * account with a running futures bot (the bot's memo says `market: 'futures'`), opened and closed
 * as those bots come and go. What it hears becomes the hints the bots already take:
 *
 * - an order report (ORDER_TRADE_UPDATE, ALGO_UPDATE without an execution) goes to the order's
 *   owner like a spot executionReport (`relayOrder`);
 * - an algo order's execution, ACCOUNT_UPDATE and MARGIN_CALL make the affected bots reconcile
 *   (`reconcile`): the owner of the algo order, the futures bots on the symbols named (an
 *   ACCOUNT_UPDATE of reason ORDER excepted: the order report covers it); both are logged;
 * - every (re)connect makes the account's futures bots reconcile what the stream missed.
 *
 * Every one of them is a hint the bot checks with the exchange; duplicates are harmless.
 */
import { type AccountRegistry, type ExchangeAccount, futuresStreamBase } from '../activities/exchange-account';
import type { OrderSnapshot } from '../core/orders';
import type { RunningBot } from './directory';
import { matchAccountStreams } from './streams/account-streams';
import type { FuturesUserEvent } from './streams/futures-user-events';
import { FuturesUserStream, type FuturesUserStreamOptions } from './streams/futures-user-stream';
import type { UserStreamStatus } from './streams/user-stream';

export interface FuturesStreamsDeps {
  readonly accounts: AccountRegistry;
  /** The running bots as last listed. */
  readonly bots: () => readonly RunningBot[];
  readonly relayOrder: (account: string, snapshot: OrderSnapshot) => Promise<void>;
  /** Ask these bots to reconcile now (streamReconnected). */
  readonly reconcile: (bots: readonly RunningBot[], why: string) => Promise<void>;
  /** The owner of a client order id on an account, if it runs. */
  readonly ownerOf: (account: string, clientOrderId: string) => Promise<RunningBot | undefined>;
  readonly log: (message: string) => void;
  readonly streamOptions?: FuturesUserStreamOptions;
}

export interface FuturesStreamStats {
  futuresOrderReports: number;
  futuresReconnects: number;
  futuresAccountEvents: number;
  marginCalls: number;
}

/** Position changes a fill explains (its bot hears of it by the order report). */
const ORDER_REASON = /^ACCOUNT_UPDATE \(ORDER\)/;

export class FuturesStreams {
  private readonly streams = new Map<string, FuturesUserStream>();
  readonly stats: FuturesStreamStats = {
    futuresOrderReports: 0,
    futuresReconnects: 0,
    futuresAccountEvents: 0,
    marginCalls: 0,
  };

  constructor(private readonly deps: FuturesStreamsDeps) {}

  /** Open and close streams to match the running futures bots. */
  sync(bots: readonly RunningBot[]): void {
    const wanted = new Set(bots.filter((b) => b.market === 'futures').map((b) => b.account));
    matchAccountStreams(this.streams, wanted, this.deps.accounts, (account) => this.open(account));
  }

  status(): Map<string, UserStreamStatus> {
    return new Map([...this.streams].map(([name, s]) => [name, s.status()]));
  }

  stop(): void {
    for (const s of this.streams.values()) s.close();
    this.streams.clear();
  }

  private futuresBotsOf(account: string, symbols?: readonly string[]): RunningBot[] {
    return this.deps
      .bots()
      .filter((b) => b.account === account && b.market === 'futures' && (!symbols || symbols.includes(b.symbol)));
  }

  private open(account: ExchangeAccount): FuturesUserStream {
    const name = account.name;
    return new FuturesUserStream(
      account,
      futuresStreamBase(account.config),
      {
        onEvent: (event) => void this.onEvent(name, event),
        onSubscribed: (opens) => {
          if (opens > 1) this.stats.futuresReconnects += 1;
          // The first open too: this worker may replace one that died while fills happened.
          void this.deps.reconcile(this.futuresBotsOf(name), 'futures user stream connected');
        },
        onError: (message) => this.deps.log(`[${name}] ${message}`),
      },
      this.deps.streamOptions,
    );
  }

  private async onEvent(account: string, event: FuturesUserEvent): Promise<void> {
    switch (event.kind) {
      case 'order':
        this.stats.futuresOrderReports += 1;
        return this.deps.relayOrder(account, event.snapshot);
      case 'reconcileOrder': {
        const owner = await this.deps.ownerOf(account, event.clientOrderId);
        if (owner) await this.deps.reconcile([owner], event.why);
        return;
      }
      case 'account': {
        this.stats.futuresAccountEvents += 1;
        if (event.type === 'MARGIN_CALL') this.stats.marginCalls += 1;
        // A fill's own position change reaches its bot as the order report: no second reconcile.
        if (event.type !== 'MARGIN_CALL' && ORDER_REASON.test(event.summary)) return;
        this.deps.log(`[${account}] ${event.summary}`);
        const bots = this.futuresBotsOf(account, event.symbols);
        if (bots.length > 0) await this.deps.reconcile(bots, event.summary);
        return;
      }
      case 'listenKeyExpired':
      case 'ignored':
        return;
    }
  }
}
