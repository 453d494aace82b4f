/**
 * The bot endpoints. Every answer comes from Temporal (visibility, the bots' queries) and every
 * action goes through it (start, signals, updates, cancel), with the operations the CLI uses
 * (client/bots.ts): the API keeps nothing about bots between requests.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { BOT_NAME_PATTERN, type BotDefinition, checkBotDefinition, parseBotConfig } from '../core/bot-definition';
import { CANDLE_INTERVALS, type CandleInterval } from '../core/market';
import { fillsOf } from '../core/digest';
import { findStrategy } from '../core/strategies';
import { type BotListing, listBots, pauseBot, resumeBot, setBotParams, startBot } from '../client/bots';
import { botLedger } from '../client/control';
import { checkFuturesSlotsFree } from '../client/futures-slots';
import { ledgerQuery } from '../workflows/control';
import { type BotStateView, type RuntimeOptions, botWorkflowId, stateQuery } from '../workflows/messages';
import { HttpError, type RouteTable, invalid } from './http';
import type { PublicMarkets } from './market-data';
import { botDetail, botRow, candlesView, tradesView } from './views';

export interface BotsContext {
  readonly client: Client;
  readonly taskQueue: string;
  readonly markets: PublicMarkets;
  /** How long a bot may take to answer a query (default 5 s). */
  readonly queryTimeoutMs?: number;
  /** Runtime options of the bots started here (ControlApiOptions.botOptions). */
  readonly botOptions?: RuntimeOptions;
}

export const nameParams = z.object({
  name: z.string().regex(BOT_NAME_PATTERN, 'must be a bot name (1-48 letters, digits, "-" or "_")'),
});
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const listQuery = z.object({ all: bool.optional() }).strict();
const stopQuery = z.object({ wait: bool.optional() }).strict();
const candlesQuery = z
  .object({
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(300),
    interval: z.enum(CANDLE_INTERVALS, { error: `must be one of ${CANDLE_INTERVALS.join(', ')}` }).optional(),
  })
  .strict();
export const paramsBody = z.record(z.string(), z.unknown(), {
  error: 'must be a JSON object of params, such as {"takeProfitPct": "0.5"}',
});
/** A bot definition as in a config file, or a list of them (nothing starts unless all are valid). */
const startBody = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())], {
  error: 'must be a bot definition (JSON object) or a list of them',
});

/** Run `fn` over `items`, at most `limit` at a time (a hundred bots must not mean a hundred queries at once). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

export function createBotQueries(ctx: BotsContext) {
  const timeout = ctx.queryTimeoutMs ?? 5_000;
  const handle = (name: string) => ctx.client.workflow.getHandle(botWorkflowId(name));
  const withDeadline = <T>(fn: () => Promise<T>) => ctx.client.connection.withDeadline(Date.now() + timeout, fn);
  return {
    state: (name: string) => withDeadline(() => handle(name).query(stateQuery)),
    ledger: (name: string) => withDeadline(() => handle(name).query(ledgerQuery)),
    /** The running bot's state, or a 404/409 naming why there is none. */
    async runningState(name: string): Promise<BotStateView> {
      let status: string;
      try {
        status = (await withDeadline(() => handle(name).describe())).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'not_found', `no bot named "${name}"`);
        throw err;
      }
      if (status !== 'RUNNING')
        throw new HttpError(409, 'not_running', `bot "${name}" is not running (${status.toLowerCase()})`);
      return withDeadline(() => handle(name).query(stateQuery));
    },
  };
}

export function registerBotRoutes(routes: RouteTable, ctx: BotsContext): void {
  const { client } = ctx;
  const q = createBotQueries(ctx);
  const handle = (name: string) => client.workflow.getHandle(botWorkflowId(name));

  async function rows(all: boolean) {
    const listings = await listBots(client, all, ctx.taskQueue);
    return mapLimit(listings, 8, async (l: BotListing) => {
      if (l.status !== 'RUNNING') return botRow(l, null);
      try {
        return botRow(l, await q.state(l.name));
      } catch (err) {
        return botRow(l, null, `no answer from the bot: ${(err as Error).message}`);
      }
    });
  }

  /** Wait (briefly) until the bot's own status shows the signal applied; the answer says which it is. */
  async function settle(name: string, done: (s: BotStateView) => boolean): Promise<BotStateView> {
    const deadline = Date.now() + 5_000;
    let s = await q.state(name);
    while (!done(s) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = await q.state(name);
    }
    return s;
  }

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/bots',
      tag: 'bots',
      summary: 'Bots with status, position, realised and unrealised PnL, open orders, last event',
      query: listQuery,
      responses: { 200: '{bots: BotRow[]}' },
    },
    async ({ query }) => ({ bots: await rows(query.all ?? false) }),
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/bots',
      tag: 'bots',
      summary:
        'Start bots from a definition (or a list), validated like a config file; nothing starts unless all are valid and none runs yet',
      body: startBody,
      responses: {
        201: '{started: [{name, workflowId}]}',
        400: 'invalid definition (fields named)',
        409: 'a bot of that name already runs, or a futures bot already trades that account + symbol',
      },
    },
    async ({ body, reply }) => {
      const defs: BotDefinition[] = Array.isArray(body) ? parseBotConfig(body, 'request body') : parseOne(body);
      await checkAccountsAndSymbols(defs);
      for (const def of defs) {
        const running = await handle(def.name)
          .describe()
          .then((d) => d.status.name === 'RUNNING')
          .catch((err) => {
            if (err instanceof WorkflowNotFoundError) return false;
            throw err;
          });
        if (running)
          throw new HttpError(
            409,
            'already_running',
            `bot "${def.name}" is already running (workflow ${botWorkflowId(def.name)}); nothing was started`,
            { field: 'name' },
          );
      }
      // A clash found here starts nothing (startBot checks again for each bot).
      const shared = await checkFuturesSlotsFree(client, ctx.taskQueue, defs);
      if (shared.length > 0)
        throw new HttpError(409, 'futures_position_shared', shared.join('; '), { field: 'symbol' });
      const started: { name: string; workflowId: string }[] = [];
      for (const def of defs) {
        const r = await startBot(client, def, ctx.taskQueue, ctx.botOptions);
        if (!r.started)
          throw new HttpError(
            409,
            'already_running',
            `${r.message}${started.length > 0 ? `; started before it: ${started.map((s) => s.name).join(', ')}` : ''}`,
            { field: 'name', started },
          );
        started.push({ name: r.name, workflowId: r.workflowId });
      }
      void reply.status(201);
      return { started };
    },
  );

  function parseOne(body: Record<string, unknown>): BotDefinition[] {
    const r = checkBotDefinition(body, { file: 'request body' });
    if (!r.ok) throw invalid(r.problems, 'invalid_definition');
    return [r.definition];
  }

  /** Refuse accounts and symbols the API knows do not exist, before anything starts. */
  async function checkAccountsAndSymbols(defs: readonly BotDefinition[]): Promise<void> {
    const known = ctx.markets.accounts();
    const problems: string[] = [];
    for (const def of defs) {
      if (known.length > 0 && !known.includes(def.account)) {
        problems.push(
          `request body: bot "${def.name}": account: unknown account "${def.account}" (configured: ${known.join(', ')})`,
        );
        continue;
      }
      const symbols = [def.symbol, ...(findStrategy(def.strategy)?.extraSymbols?.(def.params) ?? [])];
      for (const symbol of new Set(symbols)) {
        if ((await ctx.markets.hasSymbol(def.account, symbol)) === false)
          problems.push(
            `request body: bot "${def.name}": ${symbol === def.symbol ? 'symbol' : 'params.symbols'}: ${symbol} is not traded on account "${def.account}"`,
          );
      }
    }
    if (problems.length > 0) throw invalid(problems, 'invalid_definition');
  }

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/bots/:name',
      tag: 'bots',
      summary:
        "The bot's `state` query (position, orders, params, strategy state) plus unrealised PnL and its last decision",
      params: nameParams,
      responses: { 200: 'BotStateView', 404: 'no such bot', 409: 'the bot is not running' },
    },
    async ({ params }) => {
      const d = await handle(params.name)
        .describe()
        .catch((err) => {
          if (err instanceof WorkflowNotFoundError)
            throw new HttpError(404, 'not_found', `no bot named "${params.name}"`);
          throw err;
        });
      if (d.status.name === 'COMPLETED')
        return {
          ...botDetail((await handle(params.name).result()) as BotStateView, null),
          workflowStatus: d.status.name,
        };
      if (d.status.name !== 'RUNNING')
        throw new HttpError(
          409,
          'not_running',
          `bot "${params.name}" is not running (${d.status.name.toLowerCase()}) and left no summary`,
        );
      const [view, ledger] = await Promise.all([q.state(params.name), q.ledger(params.name)]);
      return { ...botDetail(view, ledger), workflowStatus: d.status.name };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/bots/:name/pause',
      tag: 'bots',
      summary: 'Pause: no new entries; open orders keep being managed',
      params: nameParams,
      responses: { 200: '{name, status}', 404: 'no such bot', 409: 'not running' },
    },
    async ({ params }) => {
      await pauseBot(client, params.name);
      const s = await settle(params.name, (v) => v.status !== 'RUNNING');
      return { name: params.name, status: s.status };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/bots/:name/resume',
      tag: 'bots',
      summary: 'Resume a paused bot',
      params: nameParams,
      responses: { 200: '{name, status}', 404: 'no such bot', 409: 'not running' },
    },
    async ({ params }) => {
      await resumeBot(client, params.name);
      const s = await settle(params.name, (v) => v.status !== 'PAUSED');
      return { name: params.name, status: s.status };
    },
  );

  routes.add(
    {
      method: 'POST',
      url: '/api/v1/bots/:name/stop',
      tag: 'bots',
      summary:
        'Graceful stop (a workflow cancel): open orders handled per onStop, then a final summary; ?wait=true waits for it',
      params: nameParams,
      query: stopQuery,
      responses: {
        200: '{name, status: STOPPED, summary}',
        202: '{name, status: STOPPING}',
        404: 'no such bot',
        409: 'not running',
      },
    },
    async ({ params, query, reply }) => {
      await q.runningState(params.name);
      const h = handle(params.name);
      await h.cancel();
      if (!query.wait) {
        void reply.status(202);
        return { name: params.name, status: 'STOPPING' };
      }
      const summary = (await h.result()) as BotStateView;
      return { name: params.name, status: summary.status, summary };
    },
  );

  routes.add(
    {
      method: 'PATCH',
      url: '/api/v1/bots/:name/params',
      tag: 'bots',
      summary:
        "Merge params into the bot's (the setParams update; an invalid value is refused, naming the field, and the bot is left untouched)",
      params: nameParams,
      body: paramsBody,
      responses: { 200: '{name, params}', 400: 'invalid params (field named)', 404: 'no such bot', 409: 'not running' },
    },
    async ({ params, body }) => {
      const r = (await setBotParams(client, params.name, body)) as { params: unknown };
      return { name: params.name, params: r.params };
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/bots/:name/trades',
      tag: 'bots',
      summary: "The bot's orders, fills, round trips, decisions with their reasons and the PnL curve",
      params: nameParams,
      responses: { 200: 'TradesView', 404: 'no such bot', 409: 'not running' },
    },
    async ({ params }) => {
      const view = await q.runningState(params.name);
      return tradesView(view, await botLedger(client, params.name), Date.now());
    },
  );

  routes.add(
    {
      method: 'GET',
      url: '/api/v1/bots/:name/candles',
      tag: 'bots',
      summary: "Candles of the bot's symbol (its interval unless given) from its exchange, with a marker per fill",
      params: nameParams,
      query: candlesQuery,
      responses: {
        200: '{symbol, interval, candles, markers}',
        400: 'invalid query',
        404: 'no such bot',
        409: 'not running',
        502: 'the exchange did not answer',
      },
    },
    async ({ params, query }) => {
      const view = await q.runningState(params.name);
      const interval = (query.interval ?? view.interval) as CandleInterval;
      let candles;
      try {
        candles = await ctx.markets.candles(view.account, view.symbol, interval, query.limit);
      } catch (err) {
        throw new HttpError(502, 'exchange_unavailable', (err as Error).message);
      }
      const ledger = await q.ledger(params.name);
      return candlesView(view.symbol, interval, candles, fillsOf(ledger.orders), Date.now());
    },
  );
}
