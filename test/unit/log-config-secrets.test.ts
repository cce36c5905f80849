// A refused configuration explains itself without echoing a token: its message reaches stderr and logs.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';

const SHORT = 'shortSecret9';
const LONG = 'a-valid-long-token-0123456789abcdef';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('ConfigError never echoes a token value', () => {
  it.each(['ARBITER_ADMIN_TOKEN', 'ARBITER_ALLOCATE_TOKEN', 'ARBITER_HEARTBEAT_TOKEN'])('a too-short %s is named but not shown', (name) => {
    const err = configError({ [name]: SHORT });
    expect(err.message).toContain(name);
    expect(err.message).not.toContain(SHORT);
    expect(err.problems.join('\n')).not.toContain(SHORT);
  });

  it('valid tokens stay out of a message about other variables', () => {
    const err = configError({
      ARBITER_ADMIN_TOKEN: LONG,
      ARBITER_ALLOCATE_TOKEN: `${LONG}-2`,
      ARBITER_HEARTBEAT_TOKEN: `${LONG}-3`,
      UPSCALE_MARGIN: '10',
      DOWNSCALE_MARGIN: '12',
      PORT: 'eighty',
    });
    expect(err.message).toContain('PORT');
    expect(err.message).not.toContain(LONG);
  });

  it('the anti-flapping refusal does not echo tokens either', () => {
    const err = configError({ ARBITER_ADMIN_TOKEN: LONG, UPSCALE_MARGIN: '10', DOWNSCALE_MARGIN: '12', GAMESERVER_CAPACITY: '10' });
    expect(err.message).toContain('DOWNSCALE_MARGIN');
    expect(err.message).not.toContain(LONG);
  });

  it('the ignored seed SECRET_KEY is never shown', () => {
    const err = configError({ SECRET_KEY: 'django-insecure-abcdef', PORT: '-1' });
    expect(err.message).not.toContain('django-insecure-abcdef');
  });

  it('a valid configuration keeps its tokens', () => {
    const config = parseConfig({ ARBITER_ADMIN_TOKEN: LONG });
    expect(config.security.adminToken).toBe(LONG);
  });
});
