/**
 * `npm run api`: the control API and dashboard alone, beside a worker (`npm run worker`) that runs
 * the bots. Settings from the environment or `.env`: the worker's TEMPORAL_* and account variables
 * (only the accounts' public REST bases are read here, never their keys), CONTROL_USERNAME,
 * CONTROL_PASSWORD, CONTROL_JWT_SECRET (or data/control-credentials.json made by `npm start`),
 * CONTROL_HOST (default 127.0.0.1), CONTROL_PORT (default 8080).
 *
 *   npm run api                               serve
 *   npm run api -- hash-password [password]   print a CONTROL_PASSWORD hash (reads stdin without argument)
 */
import 'dotenv/config';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/temporal-cli';
import { temporalSettings } from '../infra/temporal-connection';
import { hashPassword } from './credentials';
import { publicEndpointsFromEnv } from './market-data';
import { startControlApi } from './serve';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === 'hash-password') {
    const password = argv[1] ?? (await readStdin());
    if (password.length < 8) throw new Error('the password must be at least 8 characters');
    console.log(await hashPassword(password));
    return;
  }
  const api = await startControlApi({
    temporal: temporalSettings(),
    endpoints: publicEndpointsFromEnv(),
    dataDir: process.env.CONTROL_DATA_DIR ?? path.join(PROJECT_ROOT, 'data'),
  });
  console.log(`control API and dashboard: ${api.url}   ${api.loginHelp}`);
  const stop = async () => {
    await api.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main(process.argv.slice(2)).catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
