/**
 * Tells the bots of an account when its circuit breaker changes state (the `circuitBreaker`
 * signal, workflows/circuit.ts), so their `state` query — and the CLI, the API and Telegram that
 * read it — show it. A bot that starts while the breaker is not closed is told on the next sweep.
 * Signals only on changes: a breaker that stays closed costs the bots nothing.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { BreakerSnapshot } from '../activities/circuit-breaker';
import type { AccountRegistry } from '../activities/exchange-account';
import type { BotDirectory } from '../workers/directory';
import { circuitBreakerSignal } from '../workflows/circuit';

export class BreakerRelay {
  /** What each bot was last told: `${account}:${since}`. */
  private readonly told = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: Client,
    private readonly accounts: AccountRegistry,
    private readonly directory: BotDirectory,
    private readonly log: (line: string) => void = () => {},
  ) {
    for (const acc of accounts.all()) acc.breaker.onChange((s) => void this.tell(s));
  }

  start(everyMs = 5_000): void {
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Tell bots that have not heard of the current state of a breaker that is not closed. */
  async sweep(): Promise<void> {
    for (const acc of this.accounts.all()) {
      const s = acc.breaker.snapshot();
      if (s.state !== 'closed') await this.tell(s);
    }
  }

  private async tell(s: BreakerSnapshot): Promise<void> {
    const key = `${s.account}:${s.state}:${s.since}`;
    const bots = this.directory.cached().filter((b) => b.account === s.account && this.told.get(b.workflowId) !== key);
    await Promise.all(
      bots.map(async (b) => {
        try {
          await this.client.workflow.getHandle(b.workflowId).signal(circuitBreakerSignal, s);
          this.told.set(b.workflowId, key);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) this.told.delete(b.workflowId);
          else this.log(`circuit breaker state not sent to ${b.workflowId}: ${(err as Error).message}`);
        }
      }),
    );
  }
}
