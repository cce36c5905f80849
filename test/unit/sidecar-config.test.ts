import { describe, expect, it } from 'vitest';
import { loadSidecarEnv, SidecarConfigError } from '../../src/sidecar/config.js';

describe('loadSidecarEnv', () => {
  it('has documented defaults', () => {
    expect(loadSidecarEnv({})).toMatchObject({
      SIDECAR_PORT: 3090,
      SIDECAR_HOST: '0.0.0.0',
      CERVEAU_URL: 'http://127.0.0.1:3080',
      MAX_SESSIONS: 10,
      SESSION_DEADLINE: 3_700_000,
      CRASH_GRACE: 30_000,
      JOIN_DEADLINE: 120_000,
      STATUS_POLL_INTERVAL: 2_000,
    });
  });

  it.each([
    { name: 'MAX_SESSIONS', value: '0' },
    { name: 'MAX_SESSIONS', value: 'ten' },
    { name: 'SIDECAR_PORT', value: '70000' },
    { name: 'CERVEAU_URL', value: 'ftp://x' },
    { name: 'CRASH_GRACE', value: '-1' },
    { name: 'LOG_LEVEL', value: 'loud' },
  ])('names $name=$value', ({ name, value }) => {
    expect(() => loadSidecarEnv({ [name]: value })).toThrow(SidecarConfigError);
    expect(() => loadSidecarEnv({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('names every bad variable at once', () => {
    try {
      loadSidecarEnv({ MAX_SESSIONS: 'x', SESSION_DEADLINE: 'y' });
      expect.unreachable();
    } catch (err) {
      expect((err as SidecarConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(['MAX_SESSIONS', 'SESSION_DEADLINE']);
    }
  });
});
