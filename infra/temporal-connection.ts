/**
 * Temporal connection settings from the environment: the local dev server, a self-hosted cluster
 * (TLS) and Temporal Cloud (API key or mTLS). Shared by the worker, the CLI, the control API and
 * the optimiser's client, so none of them imports the others (the CLI never loads the worker's
 * native addon to print a status).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../core/schema';

export const DEFAULT_TASK_QUEUE = 'trading-bots';

export interface TemporalSettings {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly apiKey?: string;
  readonly tls?: {
    readonly serverNameOverride?: string;
    readonly serverRootCACertificate?: Buffer;
    readonly clientCertPair?: { readonly crt: Buffer; readonly key: Buffer };
  };
}

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

const temporalEnv = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/, 'must be host:port, such as 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read a file an environment variable names, or say which variable names a missing file. */
function readNamedFile(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (err as Error).message;
    throw new ConfigError(`${variable}=${file}: cannot read the file (${why})`);
  }
}

/** Parses settings with a zod schema; a bad one throws a ConfigError naming `what` and each issue. */
export function parseOrThrow<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv, what: string): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`${what}:\n${formatIssues(parsed.error).join('\n')}`);
  return parsed.data;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const e = parseOrThrow(temporalEnv, env, 'invalid Temporal settings in the environment');
  const wantsTls = e.TEMPORAL_TLS ?? Boolean(e.TEMPORAL_API_KEY || e.TEMPORAL_TLS_CERT);
  if ((e.TEMPORAL_TLS_CERT && !e.TEMPORAL_TLS_KEY) || (!e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client certificate and key files)');
  }
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
    ...(wantsTls
      ? {
          tls: {
            ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: e.TEMPORAL_TLS_SERVER_NAME } : {}),
            ...(e.TEMPORAL_TLS_CA
              ? { serverRootCACertificate: readNamedFile('TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA) }
              : {}),
            ...(e.TEMPORAL_TLS_CERT && e.TEMPORAL_TLS_KEY
              ? {
                  clientCertPair: {
                    crt: readNamedFile('TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT),
                    key: readNamedFile('TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY),
                  },
                }
              : {}),
          },
        }
      : {}),
  };
}

/** Connection options of a Temporal client from the settings (address, API key, TLS). */
export function connectionOptions(t: TemporalSettings) {
  return {
    address: t.address,
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
    ...(t.tls ? { tls: t.tls } : {}),
  };
}
