/**
 * The Temporal SDK's own worker metrics (task slots, poll and schedule-to-start latencies, sticky
 * cache, activity and workflow task outcomes...), exported by its Rust core on a Prometheus
 * endpoint of its own through the runtime's telemetry options. `TEMPORAL_METRICS_BIND`
 * (default 127.0.0.1:9464; "off" disables) picks the address. The runtime is installed once per
 * process, before any worker: a port already taken is reported and the worker runs without them
 * rather than not at all.
 */
import net from 'node:net';
import type { RuntimeOptions } from '@temporalio/worker';
import { ConfigError } from '../infra/temporal-connection';

export const DEFAULT_TEMPORAL_METRICS_BIND = '127.0.0.1:9464';

export function temporalMetricsBind(
  env: NodeJS.ProcessEnv = process.env,
  fallback: string | null = DEFAULT_TEMPORAL_METRICS_BIND,
): string | null {
  const v = env.TEMPORAL_METRICS_BIND?.trim();
  if (v === 'off' || v === 'false' || v === '0') return null;
  if (v) {
    if (!/^[^\s:]+:\d{1,5}$/.test(v))
      throw new ConfigError(`TEMPORAL_METRICS_BIND: expected host:port (e.g. 127.0.0.1:9464) or "off", got "${v}"`);
    return v;
  }
  return fallback;
}

async function portFree(bind: string): Promise<boolean> {
  const i = bind.lastIndexOf(':');
  const host = bind.slice(0, i);
  const port = Number(bind.slice(i + 1));
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Telemetry options for `Runtime.install`, or none when disabled or the address is taken. */
export async function temporalTelemetry(
  bind: string | null,
  log: (line: string) => void = console.warn,
): Promise<Pick<RuntimeOptions, 'telemetryOptions'>> {
  if (!bind) return {};
  if (!(await portFree(bind))) {
    log(
      `Temporal SDK metrics not served: ${bind} is in use (set TEMPORAL_METRICS_BIND to another host:port, or "off")`,
    );
    return {};
  }
  return { telemetryOptions: { metrics: { prometheus: { bindAddress: bind } } } };
}

/**
 * `Runtime.install` with the SDK's metrics, or without them when their port was taken between the
 * check above and the bind (another process on the machine started at the same moment): a worker
 * that restarts after a power cut must come up, metrics or not.
 */
export function installRuntimeWithFallback(
  install: (options: RuntimeOptions) => unknown,
  base: RuntimeOptions,
  telemetry: Pick<RuntimeOptions, 'telemetryOptions'>,
  log: (line: string) => void = console.warn,
): Pick<RuntimeOptions, 'telemetryOptions'> {
  if (!telemetry.telemetryOptions) {
    install(base);
    return telemetry;
  }
  try {
    install({ ...base, ...telemetry });
    return telemetry;
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (!/prometheus|address already in use|os error 98/i.test(message)) throw err;
    log(`Temporal SDK metrics not served: ${message} (set TEMPORAL_METRICS_BIND to another host:port, or "off")`);
    install(base);
    return {};
  }
}
