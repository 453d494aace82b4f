/** Read and validate a bot config file; every problem names the file, the bot and the field. */
import { readFileSync } from 'node:fs';
import { BotConfigError, type BotDefinition, parseBotConfig } from '../core/bot-definition';

/** Config files are small; a bigger one is a mistake (a log or a data file given by accident). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadBotConfig(file: string): BotDefinition[] {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_CONFIG_BYTES)
      throw new Error(`it is ${bytes.length} bytes; a bot config file is at most ${MAX_CONFIG_BYTES}`);
    text = bytes.toString('utf8');
  } catch (err) {
    throw new BotConfigError([`${file}: cannot read the file: ${(err as Error).message}`]);
  }
  // Editors on Windows save "UTF-8 with BOM": an invisible character JSON.parse chokes on.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new BotConfigError([`${file}: not valid JSON: ${describeJsonError(text, err as Error)}`]);
  }
  return parseBotConfig(json, file);
}

/** Where and why the JSON is broken: "line 3, column 17: unexpected "}" (near ...)". */
export function describeJsonError(text: string, err: Error): string {
  if (text.trim() === '') return 'the file is empty';
  const pos = jsonErrorOffset(text);
  if (pos === null) return err.message;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  const found = pos >= text.length ? 'the file ends too early' : `unexpected ${JSON.stringify(text[pos])}`;
  const excerpt = text.slice(Math.max(0, pos - 20), pos + 20).replace(/\s+/g, ' ');
  return `line ${line}, column ${column}: ${found} (near ${JSON.stringify(excerpt)})`;
}

/** Thrown by the scan below to stop at the first character that is not JSON. */
class NotJsonAt extends Error {
  constructor(readonly offset: number) {
    super(`not JSON at offset ${offset}`);
  }
}

/**
 * Offset of the first character at which `text` stops being JSON, or null if it parses. Node's
 * own messages give no position since Node 20; this small recursive-descent scan does.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new NotJsonAt(i);
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return void ((i += k), fail());
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return void i++;
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return void i++;
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : null;
  } catch (err) {
    return err instanceof NotJsonAt ? Math.min(err.offset, text.length) : null;
  }
}
