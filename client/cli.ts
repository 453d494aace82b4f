/**
 * The project's small CLI:
 *
 *   npm run bots -- start <config.json> [name]     start all bots of a file, or one by name; each is first
 *                                                   checked with a worker (account, symbol, key, filters;
 *                                                   --no-check skips that)
 *   npm run bots -- stop <name>                     graceful stop (open orders handled per onStop)
 *   npm run bots -- pause <name> | resume <name>
 *   npm run bots -- params <name> '{"key":"value"}' change params (validated; bad values refused)
 *   npm run bots -- status [name]                   a table from the `state` query
 *   npm run bots -- list [--all]                    running bots (and stopped ones with --all)
 *   npm run bots -- validate <config.json>          check a config file without starting anything (and with
 *                                                   a worker, when one is reachable)
 *   npm run bots -- strategies                      strategies and what they do
 *
 * Temporal settings come from the environment (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...).
 */
import 'dotenv/config';
import { Client, Connection } from '@temporalio/client';
import { BotConfigError } from '../core/bot-definition';
import { STRATEGIES } from '../core/strategies';
import { ConfigError, connectionOptions, temporalSettings } from '../infra/temporal-connection';
import { checkFuturesSlotsFree } from './futures-slots';
import { checkNamesFree, listBots, pauseBot, resumeBot, setBotParams, startBot, stopBot } from './bots';
import { loadBotConfig } from './config-file';
import { type PreflightOutcome, preflightBots, preflightProblems } from './preflight';
import { BotCommandError, explainTemporalError } from './errors';
import { STATUS_HEADERS, statusRows } from './status';
import { renderTable } from './table';

const USAGE = `usage: bots <start <file> [name] | stop <name> | pause <name> | resume <name> | params <name> <json> | status [name] | list [--all] | validate <file> | strategies>`;

async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>, connectTimeout = '5s'): Promise<T> {
  const settings = temporalSettings();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(settings), connectTimeout });
  } catch (err) {
    throw new BotCommandError(
      explainTemporalError(err, { what: 'connect', address: settings.address, namespace: settings.namespace }),
    );
  }
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
      const file = need(rest[0], 'config file');
      const defs = loadBotConfig(file);
      out(`${file}: ${defs.length} bot(s) valid: ${defs.map((d) => d.name).join(', ')}`);
      if (rest.includes('--no-check')) return 0;
      // Then, when a worker can be asked, whether each could trade.
      let outcomes: Map<string, PreflightOutcome>;
      try {
        outcomes = await withClient((client, taskQueue) => preflightBots(client, taskQueue, defs), '2s');
      } catch (err) {
        out(`not checked with a worker: ${(err as Error).message}`);
        return 0;
      }
      const problems = preflightProblems(file, defs, outcomes);
      if (problems.length > 0)
        throw new BotCommandError(`${file}: these bots could not trade:\n${problems.join('\n')}`);
      const unchecked = [...outcomes].filter(([, o]) => !o.checked);
      if (unchecked.length > 0)
        out(
          `not checked with a worker: ${unchecked.map(([name, o]) => `${name} (${o.checked ? '' : o.why})`).join(', ')}`,
        );
      else out(`${file}: a worker confirms every bot can trade (account, symbol, key, order sizes)`);
      return 0;
    }
    case 'strategies':
      out(
        renderTable(
          ['id', 'title'],
          Object.values(STRATEGIES).map((s) => [s.id, s.title]),
        ),
      );
      return 0;
    case 'start': {
      const args = rest.filter((a) => !a.startsWith('--'));
      const file = need(args[0], 'config file');
      const defs = loadBotConfig(file); // the whole file is validated before anything starts
      const selected = args[1] ? defs.filter((d) => d.name === args[1]) : defs;
      if (args[1] && selected.length === 0)
        throw new BotCommandError(`${file}: no bot named "${args[1]}" (bots: ${defs.map((d) => d.name).join(', ')})`);
      return withClient(async (client, taskQueue) => {
        const clashes = await checkNamesFree(
          client,
          selected.map((d) => d.name),
        );
        clashes.push(...(await checkFuturesSlotsFree(client, taskQueue, selected)));
        if (clashes.length > 0) throw new BotCommandError(clashes.join('\n'));
        if (!rest.includes('--no-check')) {
          // Nothing starts if any bot of the selection could not trade.
          const outcomes = await preflightBots(client, taskQueue, selected);
          const problems = preflightProblems(file, defs, outcomes);
          if (problems.length > 0)
            throw new BotCommandError(`${file}: not started, these bots could not trade:\n${problems.join('\n')}`);
          for (const [name, o] of outcomes)
            if (!o.checked)
              out(`bot "${name}" not checked before its start (${o.why}); it shows BLOCKED if it cannot trade`);
        }
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
        if (summary)
          out(
            `stopped "${name}": status ${summary.status}, realised PnL ${summary.realizedPnl}, position ${summary.position.qty}, open orders left ${summary.openOrders.length}`,
          );
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
        const rows = await statusRows(client, rest[0] ? [rest[0]] : undefined);
        out(rows.length === 0 ? 'no running bots' : renderTable(STATUS_HEADERS, rows));
        return 0;
      });
    case 'list':
      return withClient(async (client) => {
        const bots = await listBots(client, rest.includes('--all'));
        out(
          bots.length === 0
            ? 'no bots'
            : renderTable(
                ['bot', 'workflow', 'workflow status', 'bot status', 'strategy', 'symbol', 'started'],
                bots.map((b) => [
                  b.name,
                  b.workflowId,
                  b.status,
                  b.botStatus,
                  b.strategy,
                  b.symbol,
                  b.startTime.toISOString(),
                ]),
              ),
        );
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

function need(value: string | undefined, what: string): string {
  if (!value) throw new BotCommandError(`missing ${what}\n${USAGE}`);
  return value;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof BotConfigError || err instanceof BotCommandError || err instanceof ConfigError)
        console.error(err.message);
      else console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
