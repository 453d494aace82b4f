/** The dev server's process environment (infra/dev-server.ts): our GOGC unless the user set one. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_ENV, devServerEnv } from '../../infra/dev-server';

describe('dev server environment', () => {
  it('paces the Go garbage collector at GOGC=200, keeping everything else', () => {
    expect(DEFAULT_SERVER_ENV).toEqual({ GOGC: '200' });
    expect(devServerEnv({ PATH: '/bin', HOME: '/root' })).toEqual({ PATH: '/bin', HOME: '/root', GOGC: '200' });
  });

  it("keeps the user's own GOGC, and a bench profile's setting over both", () => {
    expect(devServerEnv({ GOGC: '50' }).GOGC).toBe('50');
    expect(devServerEnv({ GOGC: '50' }, { GOGC: '100' }).GOGC).toBe('100');
    expect(devServerEnv({}, { GOGC: '100' }).GOGC).toBe('100');
  });
});
