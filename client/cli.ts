/**
 * The project's small CLI:
 *
 *   npm run bots -- start <config.json> [name]     start all bots of a file, or one by name
 *   npm run bots -- stop <name>                     graceful stop (open orders handled per onStop)
 *   npm run bots -- pause <name> | resume <name>
 *   npm run bots -- params <name> '{"key":"value"}' change params (validated; bad values refused)
 *   npm run bots -- status [name]                   a table from the `state` query
 *   npm run bots -- list [--all]                    running bots (and stopped ones with --all)
 *   npm run bots -- validate <config.json>          check a config file without starting anything
 *   npm run bots -- strategies                      strategies and what they do
 *
 * Temporal settings come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...).
 */
import 'dotenv/config';
import { Client, Connection } from '@temporalio/client';
import { BotConfigError } from '../core/bot-definition';
import { d, str } from '../core/decimal';
import { STRATEGIES } from '../core/strategies';
import { temporalSettings } from '../workers/config';
import { connectionOptions } from '../workers/worker';
import { BotCommandError, botState, listBots, pauseBot, resumeBot, setBotParams, startBot, stopBot } from './bots';
import { loadBotConfig } from './config-file';
import { renderTable } from './table';

const USAGE = `usage: bots <start <file> [name] | stop <name> | pause <name> | resume <name> | params <name> <json> | status [name] | list [--all] | validate <file> | strategies>`;

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const settings = temporalSettings();
  const connection = await Connection.connect(connectionOptions(settings));
  try {
    return await fn(new Client({ connection, namespace: settings.namespace }), settings.taskQueue);
  } finally {
    await connection.close();
  }
}

export async function runCli(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate': {
      const defs = loadBotConfig(need(rest[0], 'config file'));
      out(`${rest[0]}: ${defs.length} bot(s) valid: ${defs.map((d) => d.name).join(', ')}`);
      return 0;
    }
    case 'strategies':
      out(renderTable(['id', 'title'], Object.values(STRATEGIES).map((s) => [s.id, s.title])));
      return 0;
    case 'start': {
      const file = need(rest[0], 'config file');
      const defs = loadBotConfig(file); // the whole file is validated before anything starts
      const selected = rest[1] ? defs.filter((d) => d.name === rest[1]) : defs;
      if (rest[1] && selected.length === 0) throw new BotCommandError(`${file}: no bot named "${rest[1]}" (bots: ${defs.map((d) => d.name).join(', ')})`);
      return withClient(async (client, taskQueue) => {
        let refused = 0;
        for (const def of selected) {
          const r = await startBot(client, def, taskQueue);
          out(r.message);
          if (!r.started) refused++;
        }
        return refused > 0 ? 3 : 0;
      });
    }
    case 'stop':
      return withClient(async (client) => {
        const name = need(rest[0], 'bot name');
        out(`stopping "${name}"...`);
        const summary = await stopBot(client, name);
        if (summary) out(`stopped "${name}": status ${summary.status}, realised PnL ${summary.realizedPnl}, position ${summary.position.qty}, open orders left ${summary.openOrders.length}`);
        return 0;
      });
    case 'pause':
    case 'resume':
      return withClient(async (client) => {
        const name = need(rest[0], 'bot name');
        await (command === 'pause' ? pauseBot(client, name) : resumeBot(client, name));
        out(`${command} sent to "${name}"`);
        return 0;
      });
    case 'params':
      return withClient(async (client) => {
        const name = need(rest[0], 'bot name');
        let patch: unknown;
        try {
          patch = JSON.parse(need(rest[1], 'params JSON'));
        } catch (err) {
          throw new BotCommandError(`params must be JSON: ${(err as Error).message}`);
        }
        const result = await setBotParams(client, name, patch as Record<string, unknown>);
        out(`params of "${name}" now ${JSON.stringify((result as { params: unknown }).params)}`);
        return 0;
      });
    case 'status':
      return withClient(async (client) => {
        const names = rest[0] ? [rest[0]] : (await listBots(client)).map((b) => b.name);
        const rows: (string | number)[][] = [];
        for (const name of names) {
          const s = await botState(client, name);
          rows.push([s.name, s.strategy, s.symbol, s.status, s.position.qty, fixed(s.position.avgEntryPrice, 8), fixed(s.realizedPnl, 8), openOrdersCell(s), s.stats.roundTrips, s.lastEventTime ? new Date(s.lastEventTime).toISOString() : '-']);
        }
        out(rows.length === 0 ? 'no running bots' : renderTable(['bot', 'strategy', 'symbol', 'status', 'position', 'avg entry', 'realised PnL', 'open orders', 'trades', 'last event'], rows));
        return 0;
      });
    case 'list':
      return withClient(async (client) => {
        const bots = await listBots(client, rest.includes('--all'));
        out(bots.length === 0 ? 'no bots' : renderTable(['bot', 'workflow', 'workflow status', 'bot status', 'strategy', 'symbol', 'started'], bots.map((b) => [b.name, b.workflowId, b.status, b.botStatus, b.strategy, b.symbol, b.startTime.toISOString()])));
        return 0;
      });
    case 'help':
    case '--help':
      out(USAGE);
      return 0;
    default:
      out(USAGE);
      return command ? 2 : 0;
  }
}

/** At most `decimals` decimals, trailing zeros dropped (exact values stay in the state query). */
function fixed(value: string, decimals: number): string {
  return str(d(value).toDecimalPlaces(decimals));
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new BotCommandError(`missing ${what}\n${USAGE}`);
  return value;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof BotConfigError || err instanceof BotCommandError) console.error(err.message);
      else console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}

/** Open orders, with those awaiting the exchange's proof (UNKNOWN outcome) and any left by an earlier incarnation called out. */
function openOrdersCell(s: { openOrders: readonly { status: string }[]; inherited?: readonly string[] }): string {
  const unknown = s.openOrders.filter((o) => o.status === 'UNKNOWN').length;
  const notes = [unknown > 0 ? `${unknown} UNKNOWN` : '', (s.inherited?.length ?? 0) > 0 ? `${s.inherited!.length} inherited` : ''].filter(Boolean);
  return `${s.openOrders.length}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
