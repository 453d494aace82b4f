/**
 * On `npm run test:cluster` the bots live in PostgreSQL: a bot's execution, its history length and
 * its visibility row (task queue, status, the project's search attributes) are rows of the
 * cluster's `temporal` and `temporal_visibility` databases — read here with psql, not through
 * Temporal.
 */
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startPostgres } from '../../infra/cluster/postgres';
import { eventually, harnessWithWorker } from '../support/harness';

describe('the cluster keeps the bots in PostgreSQL', () => {
  const h = harnessWithWorker();

  it("a running bot's execution and visibility row are in the cluster's databases", async () => {
    const { home, layout } = inject('temporalCluster');
    // The instance is running (the run's cluster started it): this attaches to it.
    const pg = startPostgres({ dataDir: path.join(home, 'postgres'), port: layout.postgresPort });
    expect(pg.startedHere).toBe(false);

    await h.startBot({
      name: 'pg-bot',
      strategy: 'dca-take-profit',
      symbol: 'BTCUSDT',
      params: { everyCandles: 1, quantity: '0.01', takeProfitPct: '1', maxLots: 1 },
    });
    await h.waitForState('pg-bot', (s) => s.eventsProcessed >= 2 && s.status === 'RUNNING', 'started');
    const described = await h.handle('pg-bot').describe();

    const { temporal, visibility } = layout.databases;
    // The mutable state row of the run: next_event_id is one past its last history event.
    const row = pg.sql(
      temporal,
      `SELECT count(*), max(next_event_id) FROM executions WHERE workflow_id = 'bot-pg-bot'`,
    );
    const [runs, nextEventId] = row.split('|').map(Number);
    expect(runs).toBe(1);
    expect(nextEventId! - 1).toBeGreaterThanOrEqual(described.historyLength);
    // Its history events are stored as history nodes (batches of events).
    expect(Number(pg.sql(temporal, 'SELECT count(*) FROM history_node'))).toBeGreaterThan(0);

    // The history service writes the visibility row from its own task queue, a moment after the
    // start (longer on a loaded cluster): read it once it is there.
    const vis = await eventually(async () => {
      const v = pg.sql(
        visibility,
        `SELECT status, task_queue, workflow_type_name, search_attributes::text FROM executions_visibility WHERE workflow_id = 'bot-pg-bot'`,
      );
      if (!['"pg-bot"', '"BTCUSDT"', '"dca-take-profit"'].every((x) => v.includes(x)))
        throw new Error(`visibility row not written yet: ${v}`);
      return v;
    });
    const [status, taskQueue, type, searchAttributes] = vis.split('|');
    expect(status).toBe('1'); // WORKFLOW_EXECUTION_STATUS_RUNNING
    expect(taskQueue).toBe(h.taskQueue);
    expect(type).toBe('botWorkflow');
    // Custom search attributes are stored under the cluster's column aliases; the values are the bot's.
    expect(searchAttributes).toContain('"pg-bot"');
    expect(searchAttributes).toContain('"BTCUSDT"');
    expect(searchAttributes).toContain('"dca-take-profit"');

    await h.handle('pg-bot').cancel();
    await h.handle('pg-bot').result();
    await expect
      .poll(() => pg.sql(visibility, `SELECT status FROM executions_visibility WHERE workflow_id = 'bot-pg-bot'`), {
        timeout: 30_000,
      })
      .toBe('2'); // COMPLETED
  });
});
