/**
 * The exchange's answers to the placements this worker sent, kept for a minute so the stream
 * service can leave out the user-stream reports that tell a bot nothing its placement activity
 * does not already tell it.
 *
 * Why: Binance sends executionReport NEW (and TRADE for a taker) for every order, usually before
 * the REST answer with FULL fills reaches the activity. Relayed, each report is a signal, a
 * workflow task and its commits, plus a verification when it arrives ahead of the answer: about a
 * third of the history and of the server's work of a candle that places a market order
 * (bench/README.md). The activity's answer is the exchange's proof and becomes history with the
 * activity's completion — or, if the worker dies first, with the next attempt's lookup — so a
 * report it covers can be dropped without losing anything. A report with more (a later fill, a
 * cancel) is relayed as always, and so is every report when the answer is not in: the placement
 * failed, its outcome is unknown, or another worker sent it.
 */
import { isFinalStatus, type OrderSnapshot } from '../core/orders';
import { eq, lte } from '../core/decimal';

/** How long a settled answer is kept: reports follow their answer within seconds. */
const KEEP_MS = 60_000;
/** Bound on the answers kept (a worker places a few orders a second at most). */
const MAX_KEPT = 10_000;

interface Entry {
  /** Settled with the answer, or null when the placement ended without one. */
  readonly answer: Promise<OrderSnapshot | null>;
  settle(answer: OrderSnapshot | null): void;
  readonly begunAt: number;
}

export class PlacementAnswers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The placement of `clientOrderId` on `account` is about to be sent from this worker. */
  begin(account: string, clientOrderId: string): void {
    this.prune();
    const key = keyOf(account, clientOrderId);
    let settle!: (answer: OrderSnapshot | null) => void;
    const answer = new Promise<OrderSnapshot | null>((resolve) => (settle = resolve));
    this.entries.get(key)?.settle(null);
    this.entries.delete(key); // a retry: kept in the order of its new start
    this.entries.set(key, { answer, settle, begunAt: this.now() });
  }

  /** The exchange answered with `answer`, or (null) the placement ended without a readable answer. */
  settle(account: string, clientOrderId: string, answer: OrderSnapshot | null): void {
    this.entries.get(keyOf(account, clientOrderId))?.settle(answer);
  }

  /**
   * Whether the placement answer for the report's order, received or awaited up to `holdMs`,
   * already tells everything the report does. False when this worker sent no such placement.
   */
  async covers(account: string, report: OrderSnapshot, holdMs: number): Promise<boolean> {
    const entry = this.entries.get(keyOf(account, report.clientOrderId));
    if (!entry) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), holdMs)));
    try {
      const answer = await Promise.race([entry.answer, late]);
      return answer !== null && answerCovers(answer, report);
    } finally {
      clearTimeout(timer);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    const oldest = this.now() - KEEP_MS;
    for (const [id, e] of this.entries) {
      if (e.begunAt >= oldest && this.entries.size < MAX_KEPT) break;
      e.settle(null);
      this.entries.delete(id);
    }
  }
}

function keyOf(account: string, clientOrderId: string): string {
  return `${account}\n${clientOrderId}`;
}

/**
 * The answer says all the report says: the same order, no more executed, and either the report is
 * an earlier, open stage of it or the same final status. Every fill the report carries is among
 * the answer's.
 */
export function answerCovers(answer: OrderSnapshot, report: OrderSnapshot): boolean {
  if (answer.clientOrderId !== report.clientOrderId || answer.symbol !== report.symbol) return false;
  if (
    answer.exchangeOrderId !== undefined &&
    report.exchangeOrderId !== undefined &&
    answer.exchangeOrderId !== report.exchangeOrderId
  )
    return false;
  if (!lte(report.executedQty, answer.executedQty)) return false;
  if (isFinalStatus(report.status) && report.status !== answer.status) return false;
  if (report.status === answer.status && !eq(report.executedQty, answer.executedQty)) return false;
  const known = new Set((answer.fills ?? []).map((f) => f.tradeId));
  return (report.fills ?? []).every((f) => known.has(f.tradeId));
}
