/**
 * The sentences the CLI prints for Temporal client errors, on the texts gRPC really produces:
 * a query past its deadline on a live connection is "no answer in time", not "cannot reach".
 */
import { describe, expect, it } from 'vitest';
import { explainTemporalError, isUnreachable } from '../../client/errors';

const grpcError = (message: string, code: number) => Object.assign(new Error(message), { code });
const ctx = { what: 'workflow bot-x', address: '127.0.0.1:7233' };

describe('explainTemporalError', () => {
  it("a call past its deadline is no answer in time, although gRPC's text names the name-resolution phase", () => {
    const err = new Error('Failed to query Workflow', {
      cause: grpcError(
        '4 DEADLINE_EXCEEDED: Deadline exceeded after 4.998s,name resolution: 0.001s,metadata filters: 0.000s,LB pick: 0.001s,remote_addr=127.0.0.1:7233',
        4,
      ),
    });
    expect(isUnreachable(err)).toBe(false);
    expect(explainTemporalError(err, ctx)).toMatch(/^workflow bot-x: no answer in time at 127\.0\.0\.1:7233/);
  });

  it('a cancelled call after our deadline is no answer in time; before it, the raw words', () => {
    const err = new Error('Failed to query Workflow', { cause: grpcError('1 CANCELLED: Call cancelled', 1) });
    expect(explainTemporalError(err, { ...ctx, deadlinePassed: true })).toMatch(/no answer in time/);
    expect(explainTemporalError(err, ctx)).toBe(
      'workflow bot-x: Failed to query Workflow: 1 CANCELLED: Call cancelled',
    );
  });

  it('a refused connection, a failed name resolution and a connect deadline are unreachable, with the address', () => {
    for (const message of [
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7233',
      '14 UNAVAILABLE: Name resolution failed for target dns:nohost:7233',
      'Failed to connect before the deadline',
      'getaddrinfo ENOTFOUND nohost',
    ]) {
      const err = new Error('Failed to start Workflow', { cause: grpcError(message, 14) });
      expect(isUnreachable(err), message).toBe(true);
      expect(explainTemporalError(err, ctx)).toMatch(
        /^workflow bot-x: cannot reach Temporal at 127\.0\.0\.1:7233 \(set by TEMPORAL_ADDRESS\)/,
      );
    }
  });
});
