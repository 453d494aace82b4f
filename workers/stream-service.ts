/**
 * One stream service per worker process (not one socket per bot). It holds the user data stream of
 * every account with running bots and the market streams those bots need, and turns them into the
 * few signals bots act on:
 *
 * - order updates, routed by client-id prefix to the owning bot;
 * - closed candles, to the bots on that symbol and interval;
 * - price triggers (`watch` intents), evaluated here on trades; the bot is signalled only when one
 *   fires, never on every tick;
 * - `streamReconnected` after a user-stream reconnect, so bots reconcile what was missed.
 *
 * Futures bots' accounts also get the USDⓈ-M user stream (./futures-streams.ts), relayed the same way.
 *
 * Several workers may run this at once: bots deduplicate (candles by open time, fills by trade id,
 * order status moving forward only), so duplicates are harmless.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { AccountRegistry, ExchangeAccount } from '../activities/exchange-account';
import { gte, lte } from '../core/decimal';
import type { Candle, CandleInterval } from '../core/market';
import type { OrderSnapshot } from '../core/orders';
import { streamReconnectedSignal, triggerSignal } from '../workflows/messages';
import { type DeliveryModes, StreamDelivery } from './stream-delivery';
import type { BotDirectory, RunningBot } from './directory';
import { ClosedCandleLog, NewcomerTracker, catchUpTargets, lastClosedCandle } from './stream-catch-up';
import { FuturesStreams } from './futures-streams';
import { matchAccountStreams } from './streams/account-streams';
import type { FuturesUserStreamOptions } from './streams/futures-user-stream';
import type { PlacementAnswers } from '../activities/placement-answers';
import { MarketStream, klineStreamName, tradeStreamName } from './streams/market-stream';
import { UserStream, type UserStreamStatus } from './streams/user-stream';

export interface StreamServiceOptions {
  readonly client: Client;
  readonly accounts: AccountRegistry;
  readonly directory: BotDirectory;
  readonly refreshEveryMs?: number;
  /** Per kind: as updates (signal when not accepted) or signals only (default DEFAULT_DELIVERY). */
  readonly delivery?: DeliveryModes;
  readonly log?: (message: string) => void;
  /** Timing of the futures user streams (tests shorten the keep-alive). */
  readonly futuresStream?: FuturesUserStreamOptions;
  /** This worker's placement answers: reports they cover are not relayed. */
  readonly answers?: PlacementAnswers;
}

/**
 * How long a report waits for the answer of a placement still in flight in this worker. The report
 * usually comes first (milliseconds ahead); past this, the answer is late and the report is news.
 */
const REPORT_HOLD_MS = 3_000;

export interface StreamStats {
  candlesRelayed: number;
  /** Last closed candles sent to bots this service had not served yet (./stream-catch-up.ts). */
  candlesCaughtUp: number;
  orderUpdatesRelayed: number;
  /** Order reports left out: the placement's answer in this worker said as much. */
  orderUpdatesCovered: number;
  triggersFired: number;
  userReconnects: number;
  signalErrors: number;
}

export class StreamService {
  private readonly userStreams = new Map<string, UserStream>();
  private readonly marketStreams = new Map<string, MarketStream>();
  /** Watches already fired, so a burst of trades fires each once (cleared when the bot drops it). */
  private readonly fired = new Set<string>();
  private readonly newcomers = new NewcomerTracker();
  private readonly closedCandles = new ClosedCandleLog();
  private timer: NodeJS.Timeout | null = null;
  /** Calls to Temporal not yet settled (see `drained`). */
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopped = false;
  readonly stats: StreamStats = {
    candlesRelayed: 0,
    candlesCaughtUp: 0,
    orderUpdatesRelayed: 0,
    orderUpdatesCovered: 0,
    triggersFired: 0,
    userReconnects: 0,
    signalErrors: 0,
  };

  private readonly delivery: StreamDelivery;
  /** The USDⓈ-M user streams of the accounts with futures bots. */
  readonly futures: FuturesStreams;

  constructor(private readonly options: StreamServiceOptions) {
    this.delivery = new StreamDelivery(options.client, options.delivery);
    this.futures = new FuturesStreams({
      accounts: options.accounts,
      bots: () => options.directory.cached(),
      relayOrder: (account, snapshot) => this.relayOrder(account, snapshot),
      reconcile: (bots, why) => this.askToReconcile(bots, why),
      ownerOf: (account, id) => this.ownerOf(account, id),
      log: (message) => this.log(message),
      ...(options.futuresStream ? { streamOptions: options.futuresStream } : {}),
    });
  }

  async start(): Promise<void> {
    await this.sync();
    const every = this.options.refreshEveryMs ?? 2_000;
    // Never rejects: a failed refresh is logged and the next one scheduled.
    const loop = async () => {
      if (this.stopped) return;
      try {
        await this.track(this.sync());
      } catch (err) {
        this.log(`stream service refresh failed: ${(err as Error).message}`);
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void loop(), every);
        this.timer.unref();
      }
    };
    this.timer = setTimeout(() => void loop(), every);
    this.timer.unref();
  }

  /** Each held account's user stream (monitoring: a stream down longer than a threshold alerts). */
  userStreamStatus(): Map<string, UserStreamStatus> {
    return new Map([
      ...[...this.userStreams].map(([name, s]) => [name, s.status()] as const),
      ...[...this.futures.status()].map(([name, s]) => [`${name}:futures`, s] as const),
    ]);
  }

  /** Each market-stream connection's last message time, by WebSocket base. */
  marketStreamStatus(): Map<string, number | null> {
    return new Map([...this.marketStreams].map(([base, s]) => [base, s.lastMessageAt]));
  }

  /**
   * Settles when the calls this service has in flight to Temporal have (at most `maxMs`). Close the
   * client's connection only after: the client's gRPC retry interceptor schedules a retry on a
   * timer that `Connection.close()` does not clear, and a retry firing on a closed channel throws
   * "Channel has been shut down" out of a timer, an uncaught exception that kills the process.
   */
  async drained(maxMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    clearTimeout(timer);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.userStreams.values()) s.close();
    for (const s of this.marketStreams.values()) s.close();
    this.futures.stop();
    this.userStreams.clear();
    this.marketStreams.clear();
  }

  /** Open and close streams to match the running bots. */
  async sync(): Promise<void> {
    const bots = await this.options.directory.refresh();
    if (!this.stopped) this.futures.sync(bots);
    const accounts = new Set(bots.map((b) => b.account));
    matchAccountStreams(this.userStreams, accounts, this.options.accounts, (account) => this.openUserStream(account));

    const wanted = new Map<string, Set<string>>();
    for (const bot of bots) {
      let account: ExchangeAccount;
      try {
        account = this.options.accounts.get(bot.account);
      } catch {
        continue;
      }
      const base = account.config.wsBase;
      const set = wanted.get(base) ?? new Set<string>();
      set.add(klineStreamName(bot.symbol, bot.interval));
      if (Object.keys(bot.watches).length > 0) set.add(tradeStreamName(bot.symbol));
      wanted.set(base, set);
    }
    for (const [base, streams] of wanted) {
      let stream = this.marketStreams.get(base);
      if (!stream) {
        stream = new MarketStream(base, {
          onCandle: (c) => void this.relayCandle(base, c),
          onTrade: (symbol, price, time) => void this.checkWatches(base, symbol, price, time),
        });
        this.marketStreams.set(base, stream);
      }
      stream.setStreams([...streams]);
    }
    for (const [base, stream] of this.marketStreams) {
      if (!wanted.has(base)) {
        stream.close();
        this.marketStreams.delete(base);
      }
    }
    // Bots this service has not served yet get the last closed candle of their stream (after the
    // streams are open, so a candle closing now reaches them one way or the other).
    void this.catchUp(this.newcomers.newcomers(bots));
    // Forget fired watches the bots no longer hold.
    const live = new Set(
      bots.flatMap((b) =>
        Object.entries(b.watches).map(([id, w]) => `${b.workflowId}/${id}/${w.price}/${w.direction}`),
      ),
    );
    for (const key of this.fired) if (!live.has(key)) this.fired.delete(key);
  }

  private openUserStream(account: ExchangeAccount): UserStream {
    const { wsApi, apiKey, apiSecret, name } = account.config;
    return new UserStream(wsApi, apiKey, apiSecret, {
      onOrder: (snapshot) => void this.relayOrder(name, snapshot),
      // Every subscription, including this process's first one, may follow a gap (the stream was
      // down, or this worker replaces one that died): the account's bots reconcile.
      onSubscribed: () => void this.tellAccount(name),
      onResubscribed: () => {
        this.stats.userReconnects += 1;
      },
      onError: (message) => this.log(`[${name}] ${message}`),
    });
  }

  private botsOn(base: string, predicate: (b: RunningBot) => boolean): RunningBot[] {
    return this.options.directory.cached().filter((b) => {
      try {
        return this.options.accounts.get(b.account).config.wsBase === base && predicate(b);
      } catch {
        return false;
      }
    });
  }

  private async relayCandle(base: string, candle: Candle): Promise<void> {
    this.closedCandles.record(base, candle, Date.now());
    const targets = this.botsOn(base, (b) => b.symbol === candle.symbol && b.interval === candle.interval);
    await Promise.all(targets.map((b) => this.signal(b.workflowId, () => this.delivery.candle(b.workflowId, candle))));
    this.stats.candlesRelayed += targets.length;
  }

  private async catchUp(bots: readonly RunningBot[]): Promise<void> {
    const byStream = new Map<string, RunningBot[]>();
    for (const b of bots) {
      const key = `${b.account}/${b.symbol}/${b.interval}`;
      byStream.set(key, [...(byStream.get(key) ?? []), b]);
    }
    await Promise.all(
      [...byStream.values()].map(async (group) => {
        const { account: name, symbol, interval } = group[0]!;
        let candle: Candle | null;
        let base: string;
        try {
          const account = this.options.accounts.get(name);
          base = account.config.wsBase;
          candle = await lastClosedCandle(account, symbol, interval as CandleInterval);
        } catch (err) {
          // Another worker's account, or the exchange is down: the bot's own freshness check and
          // gap backfill cover it.
          this.log(`catch-up candle of ${symbol} ${interval} unavailable: ${(err as Error).message}`);
          return;
        }
        if (!candle) return;
        const targets = catchUpTargets(candle, group, this.closedCandles.seenAt(base, candle));
        await Promise.all(
          targets.map((b) => this.signal(b.workflowId, () => this.delivery.candle(b.workflowId, candle))),
        );
        this.stats.candlesCaughtUp += targets.length;
      }),
    );
  }

  private async ownerOf(accountName: string, clientOrderId: string): Promise<RunningBot | undefined> {
    let owner = this.options.directory.ownerOf(clientOrderId);
    if (!owner) {
      // A bot started a second ago may not be in the cached directory yet.
      await this.options.directory.refresh();
      owner = this.options.directory.ownerOf(clientOrderId);
    }
    return owner?.account === accountName ? owner : undefined;
  }

  private async relayOrder(accountName: string, snapshot: OrderSnapshot): Promise<void> {
    // What this worker's placement answer already told the bot (activities/placement-answers.ts).
    const answers = this.options.answers;
    if (answers && (await answers.covers(accountName, snapshot, REPORT_HOLD_MS))) {
      this.stats.orderUpdatesCovered += 1;
      return;
    }
    const owner = await this.ownerOf(accountName, snapshot.clientOrderId);
    if (!owner) return;
    await this.signal(owner.workflowId, () => this.delivery.orderReport(owner.workflowId, snapshot));
    this.stats.orderUpdatesRelayed += 1;
  }

  private async checkWatches(base: string, symbol: string, price: string, time: number): Promise<void> {
    const bots = this.botsOn(base, (b) => b.symbol === symbol && Object.keys(b.watches).length > 0);
    const firing: Array<Promise<void>> = [];
    for (const bot of bots) {
      for (const [id, watch] of Object.entries(bot.watches)) {
        // Keyed with the price too: a strategy re-arming the same watch at a new level gets it.
        const key = `${bot.workflowId}/${id}/${watch.price}/${watch.direction}`;
        if (this.fired.has(key)) continue;
        const crossed = watch.direction === 'above' ? gte(price, watch.price) : lte(price, watch.price);
        if (!crossed) continue;
        this.fired.add(key);
        this.stats.triggersFired += 1;
        firing.push(this.signal(bot.workflowId, (h) => h.signal(triggerSignal, { id, price, time })));
      }
    }
    await Promise.all(firing);
  }

  /** streamReconnected: the bots reconcile with the exchange now. */
  private async askToReconcile(bots: readonly RunningBot[], why: string): Promise<void> {
    if (bots.length > 0) this.log(`reconcile asked of ${bots.map((b) => b.workflowId).join(', ')}: ${why}`);
    await Promise.all(bots.map((b) => this.signal(b.workflowId, (h) => h.signal(streamReconnectedSignal))));
  }

  private async tellAccount(accountName: string): Promise<void> {
    const bots = this.options.directory.cached().filter((b) => b.account === accountName);
    await Promise.all(bots.map((b) => this.signal(b.workflowId, (h) => h.signal(streamReconnectedSignal))));
  }

  private async signal(
    workflowId: string,
    send: (h: ReturnType<Client['workflow']['getHandle']>) => Promise<unknown>,
  ): Promise<void> {
    try {
      await this.track(send(this.options.client.workflow.getHandle(workflowId)));
    } catch (err) {
      // The bot may have just stopped: nothing to deliver to. Anything else is logged; the bot's
      // reconciliation covers a lost event.
      if (err instanceof WorkflowNotFoundError) {
        this.options.directory.forget(workflowId);
        return;
      }
      this.stats.signalErrors += 1;
      this.log(`signal to ${workflowId} failed: ${(err as Error).message}`);
    }
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const forget = () => this.inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
