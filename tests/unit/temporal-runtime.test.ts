/**
 * The worker comes up without the SDK's metrics when their port is taken after the check and
 * before the bind (seen in a 1,000-kill torture: another process took 127.0.0.1:9464 in between,
 * and the restarted worker exited "Failed to start prometheus metrics exporter").
 */
import { describe, expect, it } from 'vitest';
import type { RuntimeOptions } from '@temporalio/worker';
import { installRuntimeWithFallback } from '../../monitoring/temporal-runtime';

const telemetry = { telemetryOptions: { metrics: { prometheus: { bindAddress: '127.0.0.1:9464' } } } };
const base: RuntimeOptions = { shutdownSignals: ['SIGINT'] };

describe('installRuntimeWithFallback', () => {
  it('installs with the metrics when the bind works', () => {
    const calls: RuntimeOptions[] = [];
    expect(
      installRuntimeWithFallback(
        (o) => calls.push(o),
        base,
        telemetry,
        () => {},
      ),
    ).toEqual(telemetry);
    expect(calls).toEqual([{ ...base, ...telemetry }]);
  });

  it('installs without them, and says so, when the port was taken in between', () => {
    const calls: RuntimeOptions[] = [];
    const said: string[] = [];
    const install = (o: RuntimeOptions) => {
      calls.push(o);
      if (o.telemetryOptions)
        throw new Error('Failed to start prometheus metrics exporter: Address already in use (os error 98)');
    };
    expect(installRuntimeWithFallback(install, base, telemetry, (l) => said.push(l))).toEqual({});
    expect(calls).toEqual([{ ...base, ...telemetry }, base]);
    expect(said[0]).toMatch(/Temporal SDK metrics not served: .*Address already in use.*TEMPORAL_METRICS_BIND/);
  });

  it('any other failure of the runtime is not hidden', () => {
    const install = () => {
      throw new Error('Runtime singleton has already been installed');
    };
    expect(() => installRuntimeWithFallback(install, base, telemetry, () => {})).toThrow(/already been installed/);
  });
});
