/**
 * Connection options of a Temporal client from the settings (address, API key, TLS). Its own small
 * module so the CLI and the control API can connect without importing the worker, which would load
 * its native addons (@temporalio/worker's core bridge) into processes that never poll a task.
 */
import type { TemporalSettings } from './config';

export function connectionOptions(t: TemporalSettings) {
  return {
    address: t.address,
    ...(t.apiKey ? { apiKey: t.apiKey } : {}),
    ...(t.tls ? { tls: t.tls } : {}),
  };
}
