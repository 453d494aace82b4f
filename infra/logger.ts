/**
 * A compact console logger for the Temporal runtime: bot notifications (workflow logs carrying a
 * `bot` field) as one line each, the SDK's own chatter only from `sdkLevel` up.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

export class BotConsoleLogger implements Logger {
  constructor(
    private readonly sdkLevel: LogLevel = 'WARN',
    private readonly write: (line: string) => void = (l) => console.log(l),
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const time = new Date().toISOString();
    const bot: unknown = meta?.bot;
    if (typeof bot === 'string') {
      const tag =
        typeof meta?.level === 'string' && meta.level !== 'info' ? ` ${String(meta.level).toUpperCase()}` : '';
      this.write(`${time} [${bot}]${tag} ${message}`);
      return;
    }
    if (RANK[level] < RANK[this.sdkLevel]) return;
    this.write(`${time} ${level} ${message}${meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : ''}`);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export function sdkLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const v = (env.LOG_LEVEL ?? 'WARN').toUpperCase();
  return v in RANK ? (v as LogLevel) : 'WARN';
}
