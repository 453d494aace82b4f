/**
 * Seed 002's endpoints (PBBS), in its answer shape `{Message, Result, data}` so its users' scripts
 * keep working:
 *
 *   GET  /api/v1/balance?account=   the spot wallet: inTokens (free/locked tokens and their USDT
 *                                   value), liquid USDT, totalBalance (read by the worker)
 *   POST /api/v1/market {bot?}      run a macd-portfolio bot's daily check now; its buy/sell lists
 *   PUT  /api/v1/server/pause       pause every bot ("the scheduler")
 *   PUT  /api/v1/server/start       resume every paused bot
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { listBots, pauseBot, resumeBot } from '../client/bots';
import { accountBalance, runBotNow } from '../client/control';
import { BOT_NAME_PATTERN } from '../core/bot-definition';
import type { DayReport, MacdPortfolioState } from '../core/strategies/macd-portfolio';
import { mapLimit, type BotsContext, createBotQueries } from './bots';
import { FailureType } from '../workflows/failure-types';
import { HttpError, type RouteTable } from './http';

const accountQuery = z
  .object({
    account: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be an account name (1-32 letters, digits, "-" or "_")')
      .optional(),
  })
  .strict();
/** The seed accepts any JSON object; `bot` picks the bot when several run macd-portfolio. */
const marketBody = z.looseObject({ bot: z.string().regex(BOT_NAME_PATTERN, 'must be a bot name').optional() });

export interface SeedOptions {
  /** How long POST /market waits for the check to finish (default 60 s). */
  readonly marketTimeoutMs?: number;
}

function finished(state: MacdPortfolioState | null, appliedAt: number): boolean {
  if (!state || state.run !== null) return false;
  return state.decisions.some((d) => d.action === 'daily' && d.time >= appliedAt);
}

export function registerSeedRoutes(routes: RouteTable, ctx: BotsContext, options: SeedOptions = {}): void {
  const { client } = ctx;
  const q = createBotQueries(ctx);

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/balance',
      tag: 'seed 002',
      summary: "The account's spot wallet valued in USDT (seed 002's shape), read by the worker that holds its keys",
      query: accountQuery,
      responses: {
        200: '{Message, Result, data: {inTokens, liquid, totalBalance}}',
        400: 'invalid account',
        404: 'account not configured on the worker',
        504: 'no worker answered',
      },
    },
    async ({ query }) => {
      const known = ctx.markets.accounts();
      const account = query.account ?? (known.length === 1 ? known[0]! : known.length === 0 ? 'paper' : null);
      if (!account)
        throw new HttpError(
          400,
          'invalid_request',
          `query.account: required when several accounts are configured (${known.join(', ')})`,
          { fields: ['query.account'] },
        );
      try {
        const data = await accountBalance(client, ctx.taskQueue, account);
        return { Message: 'Balance successfully recovered', Result: 'success', data };
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const cause = err.cause as
            { type?: string; message?: string; cause?: { type?: string; message?: string } } | undefined;
          const inner = cause?.cause ?? cause;
          if (inner?.type === FailureType.InvalidRequest)
            throw new HttpError(404, 'unknown_account', inner.message ?? 'unknown account', {
              fields: ['query.account'],
            });
          if (/timed? ?out/i.test(`${cause?.message} ${err.message}`))
            throw new HttpError(
              504,
              'timeout',
              `no worker read the balance of "${account}" in time (is a worker running on task queue ${ctx.taskQueue}?)`,
            );
          throw new HttpError(502, 'exchange_unavailable', inner?.message ?? err.message);
        }
        throw err;
      }
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/market',
      tag: 'seed 002',
      summary:
        "Run a macd-portfolio bot's daily check now (through the bot: orders go out as at midnight) and answer its buy and sell lists",
      body: marketBody,
      responses: {
        200: '{Message, Result, data: {buy, sell, bot, day, orders, ...}}',
        400: 'several macd-portfolio bots run: name one',
        404: 'no running macd-portfolio bot',
        409: 'the bot cannot run it now',
        504: 'the check started but did not finish in time',
      },
    },
    async ({ body }) => {
      const candidates = (await listBots(client, false, ctx.taskQueue)).filter((b) => b.strategy === 'macd-portfolio');
      let name = body.bot;
      if (name) {
        if (!candidates.some((b) => b.name === name))
          throw new HttpError(
            404,
            'not_found',
            `no running macd-portfolio bot named "${name}" (running: ${candidates.map((b) => b.name).join(', ') || 'none'})`,
            { fields: ['body.bot'] },
          );
      } else if (candidates.length === 1) {
        name = candidates[0]!.name;
      } else if (candidates.length === 0) {
        throw new HttpError(404, 'not_found', 'no macd-portfolio bot is running (start one with POST /api/v1/bots)');
      } else {
        throw new HttpError(
          400,
          'invalid_request',
          `body.bot: required when several macd-portfolio bots run (${candidates.map((b) => b.name).join(', ')})`,
          { fields: ['body.bot'] },
        );
      }
      let appliedAt: number;
      try {
        ({ appliedAt } = await runBotNow(client, name));
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          throw new HttpError(
            409,
            'not_ready',
            `bot "${name}" cannot run its check now: ${err.cause?.message ?? err.message}`,
          );
        throw err;
      }
      const deadline = Date.now() + (options.marketTimeoutMs ?? 60_000);
      for (;;) {
        const view = await q.state(name);
        const s = view.strategyState as MacdPortfolioState | null;
        if (finished(s, appliedAt)) {
          const report = s!.reports[s!.reports.length - 1] as DayReport;
          const with_ = (action: string) =>
            Object.entries(report.actions)
              .filter(([, a]) => a.action === action)
              .map(([symbol]) => symbol)
              .sort();
          return {
            Message: 'Market successfully verified',
            Result: 'success',
            data: {
              buy: with_('buy'),
              sell: with_('sell'),
              hold: with_('hold'),
              bot: name,
              day: new Date(report.day).toISOString().slice(0, 10),
              freeUsdt: report.freeUsdt,
              orders: report.orders,
              actions: report.actions,
              dryRun: (view.params as { dryRun?: boolean }).dryRun ?? true,
            },
          };
        }
        if (Date.now() > deadline)
          throw new HttpError(
            504,
            'timeout',
            `the daily check of "${name}" started (at ${new Date(appliedAt).toISOString()}) but has not finished; see GET /api/v1/bots/${name}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  );

  const everyBot = async (action: 'pause' | 'resume') => {
    const bots = await listBots(client, false, ctx.taskQueue);
    const done: string[] = [];
    const failed: { name: string; message: string }[] = [];
    await mapLimit(bots, 8, async (b) => {
      try {
        await (action === 'pause' ? pauseBot(client, b.name) : resumeBot(client, b.name));
        done.push(b.name);
      } catch (err) {
        failed.push({ name: b.name, message: (err as Error).message });
      }
    });
    return { bots: done.sort(), ...(failed.length > 0 ? { failed } : {}) };
  };

  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/server/pause',
      tag: 'seed 002',
      summary: 'Pause every running bot (no new entries; open orders keep being managed)',
      responses: { 200: '{Message, Result, bots}' },
    },
    async () => ({ Message: 'server paused awaiting orders', Result: 'success', ...(await everyBot('pause')) }),
  );
  routes.add(
    {
      method: 'PUT',
      url: '/api/v1/server/start',
      tag: 'seed 002',
      summary: 'Resume every paused bot',
      responses: { 200: '{Message, Result, bots}' },
    },
    async () => ({ Message: 'server succesfully started', Result: 'success', ...(await everyBot('resume')) }),
  );
}
