/** Read and validate a bot config file; every problem names the file, the bot and the field. */
import { readFileSync } from 'node:fs';
import { BotConfigError, type BotDefinition, parseBotConfig } from '../core/bot-definition';

export function loadBotConfig(file: string): BotDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BotConfigError([`${file}: cannot read the file: ${(err as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BotConfigError([`${file}: not valid JSON: ${(err as Error).message}`]);
  }
  return parseBotConfig(json, file);
}
