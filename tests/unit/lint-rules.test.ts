/**
 * The lint rules bite: snippets linted with the project's own eslint.config.mjs as if they were
 * files of core/, venue/, workflows/, client/, telegram/, notify/, monitoring/ and the other folders
 * must be refused (and the allowed ones accepted), and the fixtures under tests/support/lint-fixtures/ must show a cycle and floating promises.
 */
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** The real config, minus type information: virtual files are in no tsconfig. */
const syntactic = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config });
/** The real config with type information, for the fixtures (their own small tsconfig). */
const typed = new ESLint({ cwd: ROOT, ignore: false });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await syntactic.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

async function refused(file: string, code: string): Promise<string[]> {
  const found = await problems(file, code);
  expect(found, `${file}: ${code}`).not.toEqual([]);
  return found;
}

async function accepted(file: string, code: string): Promise<void> {
  expect(await problems(file, code), `${file}: ${code}`).toEqual([]);
}

describe('core/ is pure', () => {
  const file = 'core/lint-probe.ts';

  it('refuses Node built-ins, Temporal, I/O packages and other folders', async () => {
    for (const source of [
      'node:fs',
      'fs',
      'node:crypto',
      '@temporalio/workflow',
      '@temporalio/common',
      'binance-api-node',
      'ws',
      '../activities/orders',
      '../venue',
      '../workflows/messages',
      '../exchange/server',
    ]) {
      const [message] = await refused(file, `import { x } from '${source}';\nexport const y = x;\n`);
      expect(message).toMatch(/^layers\/imports: core\/ may not import/);
    }
  });

  it('refuses the clock, randomness and timers', async () => {
    for (const code of [
      'Date.now()',
      'new Date()',
      'Date()',
      'Math.random()',
      'performance.now()',
      'setTimeout(() => 0, 1)',
      'process.env.X',
      'console.log(1)',
    ]) {
      await refused(file, `export const y = ${code};\n`);
    }
    expect((await refused(file, 'export const t = Date.now();\n'))[0]).toMatch(
      /no-restricted-properties.*take the time from the event/,
    );
  });

  it('accepts core siblings, zod, decimal.js and a date built from a given time', async () => {
    await accepted(
      file,
      "import { z } from 'zod';\nimport { d } from './decimal';\nexport const y = [z, d, new Date(0).toISOString()];\n",
    );
    await accepted(
      'core/strategies/seed/lint-probe.ts',
      "import { d } from '../../decimal';\nimport { other } from '../../../core/orders';\nexport const y = [d, other];\n",
    );
  });

  it('the strategy kit imports only core/ and zod', async () => {
    await refused(
      'core/strategy-kit/lint-probe.ts',
      "import { Decimal } from 'decimal.js';\nexport const y = new Decimal(1);\n",
    );
    await accepted(
      'core/strategy-kit/lint-probe.ts',
      "import { z } from 'zod';\nimport { d } from '../decimal';\nexport const y = [z, d];\n",
    );
  });
});

describe('venue/ is pure', () => {
  it('imports core/ and itself only, with no clock', async () => {
    await refused(
      'venue/lint-probe.ts',
      "import { startPaperExchange } from '../exchange/server';\nexport const y = startPaperExchange;\n",
    );
    await refused('venue/lint-probe.ts', 'export const y = Date.now();\n');
    await accepted(
      'venue/lint-probe.ts',
      "import { d } from '../core/decimal';\nimport { x } from './ledger';\nexport const y = [d, x];\n",
    );
  });
});

describe('workflows/ stays in the sandbox', () => {
  const file = 'workflows/lint-probe.ts';

  it('refuses Node, the other Temporal packages, activities, workers and the exchange at run time', async () => {
    for (const source of [
      'node:crypto',
      '@temporalio/activity',
      '@temporalio/client',
      '@temporalio/worker',
      'binance-api-node',
      '../activities/orders',
      '../activities',
      '../workers/config',
      '../exchange/server',
      '../client/bots',
    ]) {
      const [message] = await refused(file, `import { x } from '${source}';\nexport const y = x;\n`);
      expect(message).toMatch(/^layers\/imports: workflows\/ may not import/);
    }
    await refused(file, "export { placeOrder } from '../activities/orders';\n");
    await refused(file, "export const load = () => import('node:fs');\n");
    await refused(file, 'export const env = process.env.HOME;\n');
  });

  it('accepts @temporalio/workflow, core/, siblings and type-only imports from anywhere', async () => {
    await accepted(
      file,
      [
        "import * as wf from '@temporalio/workflow';",
        "import { defineSearchAttributeKey } from '@temporalio/common';",
        "import type { Activities } from '../activities';",
        "import type { PlaceOrderInput } from '../activities/orders';",
        "import { findStrategy } from '../core/strategies';",
        "import { stateQuery } from './messages';",
        'export const y = [wf, defineSearchAttributeKey, findStrategy, stateQuery, Date.now()];',
        'export type Z = [Activities, PlaceOrderInput];',
        '',
      ].join('\n'),
    );
  });

  it('lets an import whose specifiers are all inline types through (erased at build time)', async () => {
    const found = await problems(
      file,
      "import { type PlaceOrderInput } from '../activities/orders';\nexport type Z = PlaceOrderInput;\n",
    );
    expect(found.filter((m) => m.startsWith('layers/'))).toEqual([]);
    const mixed = await problems(
      file,
      "import { type PlaceOrderInput, placeOrder } from '../activities/orders';\nexport const y = placeOrder;\nexport type Z = PlaceOrderInput;\n",
    );
    expect(mixed.filter((m) => m.startsWith('layers/'))).toHaveLength(1);
  });
});

describe('client/ never loads the worker', () => {
  const file = 'client/lint-probe.ts';

  it('refuses workers/, activities at run time and native addons', async () => {
    for (const source of [
      '../workers/worker',
      '../workers/config',
      '../activities',
      '@temporalio/worker',
      'better-sqlite3',
      'onnxruntime-node',
      '@temporalio/testing',
    ]) {
      const [message] = await refused(file, `import { x } from '${source}';\nexport const y = x;\n`);
      expect(message).toMatch(/^layers\/imports: client\/ may not import/);
    }
  });

  it('accepts the Temporal client, workflows/ messages, infra and Node built-ins', async () => {
    await accepted(
      file,
      "import { readFileSync } from 'node:fs';\nimport { Client } from '@temporalio/client';\nimport { stateQuery } from '../workflows/messages';\nimport { temporalSettings } from '../infra/temporal-connection';\nimport type { BalanceReport } from '../activities/account';\nexport const y = [readFileSync, Client, stateQuery, temporalSettings];\nexport type Z = BalanceReport;\n",
    );
  });
});

describe('the other folders', () => {
  it('activities never load the workflow runtime or the processes around them', async () => {
    await refused(
      'activities/lint-probe.ts',
      "import { sleep } from '@temporalio/workflow';\nexport const y = sleep;\n",
    );
    await refused(
      'activities/lint-probe.ts',
      "import { startWorker } from '../workers/worker';\nexport const y = startWorker;\n",
    );
    await accepted(
      'activities/lint-probe.ts',
      "import { Context } from '@temporalio/activity';\nimport { d } from '../core/decimal';\nexport const y = [Context, d, Date.now()];\n",
    );
  });

  it('the paper exchange stands alone, the dashboard is browser code, the API and infra never load the worker', async () => {
    await refused('exchange/lint-probe.ts', "import { Client } from '@temporalio/client';\nexport const y = Client;\n");
    await refused(
      'exchange/lint-probe.ts',
      "import { placeOrder } from '../activities/orders';\nexport const y = placeOrder;\n",
    );
    await accepted(
      'exchange/lint-probe.ts',
      "import { createServer } from 'node:http';\nimport { Venue } from '../venue';\nexport const y = [createServer, Venue];\n",
    );
    await refused(
      'dashboard/lint-probe.ts',
      "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
    );
    await accepted(
      'dashboard/lint-probe.ts',
      "import { createChart } from 'lightweight-charts';\nimport { h } from './dom';\nexport const y = [createChart, h];\n",
    );
    await refused(
      'api/lint-probe.ts',
      "import { temporalSettings } from '../workers/config';\nexport const y = temporalSettings;\n",
    );
    await refused('infra/lint-probe.ts', "import { Worker } from '@temporalio/worker';\nexport const y = Worker;\n");
  });
});

describe('telegram/, notify/ and monitoring/', () => {
  it('the Telegram bot is a client: no worker, activities at run time, exchange or native addon', async () => {
    for (const source of [
      '../workers/config',
      '../activities/account',
      '../exchange/server',
      'better-sqlite3',
      '@temporalio/worker',
    ]) {
      const [message] = await refused(
        'telegram/lint-probe.ts',
        `import { x } from '${source}';\nexport const y = x;\n`,
      );
      expect(message).toMatch(/^layers\/imports: telegram\/ may not import/);
    }
    await accepted(
      'telegram/lint-probe.ts',
      "import { Bot } from 'grammy';\nimport { Client } from '@temporalio/client';\nimport { listBots } from '../client/bots';\nimport { temporalSettings } from '../infra/temporal-connection';\nimport { TelegramChannel } from '../notify/channels';\nimport type { BalanceReport } from '../activities/account';\nexport const y = [Bot, Client, listBots, temporalSettings, TelegramChannel];\nexport type Z = BalanceReport;\n",
    );
  });

  it('the outbox loads no Temporal package and no process or bot code; SQLite and grammY are its own', async () => {
    for (const source of [
      '@temporalio/client',
      '../workers/worker',
      '../activities/notify',
      '../workflows/messages',
      '../client/bots',
    ]) {
      const [message] = await refused('notify/lint-probe.ts', `import { x } from '${source}';\nexport const y = x;\n`);
      expect(message).toMatch(/^layers\/imports: notify\/ may not import/);
    }
    await accepted(
      'notify/lint-probe.ts',
      "import Database from 'better-sqlite3';\nimport { Api } from 'grammy';\nimport { NOTICE_KINDS } from '../core/notices';\nexport const y = [Database, Api, NOTICE_KINDS];\n",
    );
  });

  it('monitoring never loads the workflow runtime, the worker process or the exchange', async () => {
    for (const source of ['@temporalio/workflow', '../workers/stream-service', '../exchange/server']) {
      const [message] = await refused(
        'monitoring/lint-probe.ts',
        `import { x } from '${source}';\nexport const y = x;\n`,
      );
      expect(message).toMatch(/^layers\/imports: monitoring\/ may not import/);
    }
    await accepted(
      'monitoring/lint-probe.ts',
      "import { Runtime } from '@temporalio/worker';\nimport { Registry } from 'prom-client';\nimport { AccountRegistry } from '../activities/exchange-account';\nimport type { StreamService } from '../workers/stream-service';\nexport const y = [Runtime, Registry, AccountRegistry];\nexport type Z = StreamService;\n",
    );
  });

  it('the futures kernel and the perpetual are as pure as core/ and venue/', async () => {
    await refused(
      'core/futures/lint-probe.ts',
      "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
    );
    await refused('core/futures/lint-probe.ts', 'export const y = Date.now();\n');
    await refused(
      'venue/perpetual/lint-probe.ts',
      "import { Client } from '@temporalio/client';\nexport const y = Client;\n",
    );
    await accepted(
      'venue/perpetual/lint-probe.ts',
      "import { d } from '../../core/decimal';\nimport { Venue } from '..';\nexport const y = [d, Venue];\n",
    );
  });
});

describe('the whole tree', () => {
  it('refuses an import cycle', async () => {
    const [result] = await typed.lintFiles([path.join(ROOT, 'tests/support/lint-fixtures/cycle-a.ts')]);
    expect(result?.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });

  it('refuses floating and misused promises and a value import used as a type (type-aware rules)', async () => {
    const [result] = await typed.lintFiles([path.join(ROOT, 'tests/support/lint-fixtures/promises.ts')]);
    const rules = result?.messages.map((m) => m.ruleId) ?? [];
    expect(rules).toContain('@typescript-eslint/no-floating-promises');
    expect(rules).toContain('@typescript-eslint/no-misused-promises');
    expect(rules).toContain('@typescript-eslint/consistent-type-imports');
  });

  it('the main lint skips the fixtures (they exist to fail)', async () => {
    expect(
      await new ESLint({ cwd: ROOT }).isPathIgnored(path.join(ROOT, 'tests/support/lint-fixtures/promises.ts')),
    ).toBe(true);
  });
});
