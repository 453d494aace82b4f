/**
 * The Grafana dashboard and the Prometheus rules in deploy/ only name metrics we export (a
 * renamed metric must not leave a silent, empty panel).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountRegistry } from '../../activities/exchange-account';
import { ActivityTracker } from '../../monitoring/activity-tracker';
import { botMetrics } from '../../monitoring/bot-metrics';
import { workerMetrics } from '../../monitoring/worker-metrics';

const DEPLOY = path.resolve(__dirname, '../../deploy');

describe('deploy/ metrics', () => {
  it('every bots_* metric of the dashboard and the alert rules exists', () => {
    const names = new Set([
      ...workerMetrics({
        accounts: new AccountRegistry([]),
        streams: () => null,
        tracker: new ActivityTracker(() => 0),
        notifier: null,
        monitor: null,
      })
        .getMetricsAsArray()
        .map((m) => m.name),
      ...botMetrics({ client: {} as never, taskQueue: 'q' })
        .getMetricsAsArray()
        .map((m) => m.name),
    ]);
    const dashboard = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      readFileSync(path.join(DEPLOY, 'prometheus-alerts.yml'), 'utf8'),
    ];
    const used = new Set(exprs.flatMap((e) => e.match(/\bbots_[a-z_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) expect(names, name).toContain(name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8')).toMatch(/127\.0\.0\.1:9464/);
  });
});
