/**
 * What the Telegram process must not forget across a restart or a power cut, in one small JSON
 * file written atomically (temporary file, fsync, rename — the seeds' atomic_save_json):
 *
 * - `offset`: the next update to ask Telegram for. It is saved *before* a command runs, so a
 *   restart never runs a command twice (Telegram re-sends every update not confirmed by a later
 *   getUpdates offset).
 * - `interrupted`: the command that was running when the process died; at the next start its
 *   chat is told it may not have completed, rather than it being run again.
 * - `confirmations`: `/stop` buttons waiting for a press, so a button still works after a restart
 *   (and an old or forged one does nothing).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  offset: z.number().int().min(0).default(0),
  interrupted: z
    .object({ updateId: z.number().int(), chatId: z.number().int(), text: z.string() })
    .nullable()
    .default(null),
  confirmations: z
    .record(
      z.string(),
      z.object({ bot: z.string(), chatId: z.number().int(), messageId: z.number().int(), expiresAt: z.number() }),
    )
    .default({}),
});
export type TelegramState = z.output<typeof stateSchema>;

export class TelegramStateFile {
  private state: TelegramState;

  constructor(
    readonly file: string,
    private readonly log: (line: string) => void = console.warn,
  ) {
    this.state = this.load();
  }

  private load(): TelegramState {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return stateSchema.parse({});
    }
    const parsed = stateSchema.safeParse(
      (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return null;
        }
      })(),
    );
    if (parsed.success) return parsed.data;
    // A damaged file must not stop the bot from answering; old updates are skipped by their age.
    this.log(
      `${this.file}: unreadable Telegram state, starting afresh (commands older than TELEGRAM_MAX_COMMAND_AGE_S are not run)`,
    );
    return stateSchema.parse({});
  }

  get(): Readonly<TelegramState> {
    return this.state;
  }

  update(change: (s: TelegramState) => TelegramState): void {
    this.state = change(structuredClone(this.state));
    this.save();
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
