/**
 * Start the control API and dashboard: credentials (./credentials.ts), login sessions kept under
 * the data folder, a Temporal client of its own, and the HTTP listener. Used by `npm run api`
 * (./main.ts) and `npm start` (scripts/start.ts).
 *
 * It listens on 127.0.0.1 unless CONTROL_HOST says otherwise: the dashboard drives real money, so
 * reaching it from elsewhere should go through an SSH tunnel or a VPN (README, "Driving bots").
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Registry } from 'prom-client';
import { type TemporalSettings, connectionOptions } from '../infra/temporal-connection';
import { resolveCredentials } from './credentials';
import { PublicMarkets } from './market-data';
import { createControlApi } from './server';
import { SessionStore } from './sessions';

export interface StartControlApiOptions {
  readonly temporal: TemporalSettings;
  /** account name -> the exchange's public REST base (for charts; never keys). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Folder of control-credentials.json and control-sessions.json. */
  readonly dataDir: string;
  /** Generate credentials into dataDir when none are configured (npm start). */
  readonly generateCredentials?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (message: string) => void;
  /** Worker metrics to serve on /metrics too (the in-process worker of `npm start`). */
  readonly metrics?: readonly Registry[];
}

export interface RunningControlApi {
  readonly url: string;
  /** What to tell the user about logging in (the generated password, once). */
  readonly loginHelp: string;
  close(): Promise<void>;
}

export async function startControlApi(options: StartControlApiOptions): Promise<RunningControlApi> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((m: string) => console.log(m));
  const host = env.CONTROL_HOST || '127.0.0.1';
  const port = Number(env.CONTROL_PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`CONTROL_PORT: must be a port number, got "${env.CONTROL_PORT}"`);
  const credentialsFile = path.join(options.dataDir, 'control-credentials.json');
  const credentials = await resolveCredentials({
    env,
    file: credentialsFile,
    generate: options.generateCredentials ?? false,
  });
  const sessions = new SessionStore({ file: path.join(options.dataDir, 'control-sessions.json') });
  const connection = await Connection.connect(connectionOptions(options.temporal));
  const client = new Client({ connection, namespace: options.temporal.namespace });
  const app = await createControlApi({
    client,
    namespace: options.temporal.namespace,
    taskQueue: options.temporal.taskQueue,
    markets: new PublicMarkets(options.endpoints),
    credentials,
    sessions,
    log,
    metrics: { registries: options.metrics ?? [], token: env.METRICS_TOKEN || null },
  });
  try {
    await app.listen({ host, port });
  } catch (err) {
    await connection.close().catch(() => {});
    throw err;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1')
    log(
      `control API listens on ${host}: anyone who reaches this address can try to log in. Put it behind an SSH tunnel or a VPN (README, "Driving bots").`,
    );
  const loginHelp =
    credentials.source === 'generated'
      ? `login "${credentials.username}", password ${credentials.generatedPassword}  (generated once into ${credentialsFile}; shown only now: note it. Delete the file for new ones.)`
      : credentials.source === 'file'
        ? `login "${credentials.username}" (password shown when ${credentialsFile} was generated; delete the file for new ones, or set CONTROL_USERNAME/CONTROL_PASSWORD/CONTROL_JWT_SECRET)`
        : `login "${credentials.username}" (CONTROL_USERNAME / CONTROL_PASSWORD)`;
  return {
    url,
    loginHelp,
    async close() {
      await app.close().catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
