/**
 * `npm run backtest -- --config <bots.json> [--bot <name>]`: backtest a bot as its live config file
 * defines it (strategy, params, market, the futures block, onStop, risk), validated by the same
 * schemas as `npm run bots -- validate`, so a bad file is refused naming the field. Options given
 * on the command line (--strategy, --params, --market, --symbol, --interval, --on-stop, --risk)
 * win over the file's.
 */
import { loadBotConfig } from '../client/config-file';
import { BotConfigError, type BotDefinition } from '../core/bot-definition';
import { UsageError } from './cli-options';

/** The bot of a config file: the only one, or the one named `bot`. */
export function botFromConfig(file: string, bot?: string): BotDefinition {
  let bots: BotDefinition[];
  try {
    bots = loadBotConfig(file);
  } catch (err) {
    if (err instanceof BotConfigError) throw new UsageError(`--config ${file}:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
  if (bot !== undefined) {
    const found = bots.find((b) => b.name === bot);
    if (!found)
      throw new UsageError(`--bot ${bot}: ${file} has no such bot (it has ${bots.map((b) => b.name).join(', ')})`);
    return found;
  }
  if (bots.length !== 1)
    throw new UsageError(
      `--config ${file} defines ${bots.length} bots (${bots.map((b) => b.name).join(', ')}): name one with --bot`,
    );
  return bots[0]!;
}
