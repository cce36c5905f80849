import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeApp } from './api-fakes.js';
import { captureLogger } from './capture-logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('allocation rate limit behind an unconfigured proxy', () => {
  it('says so once in the JSON log, and prints nothing unstructured', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const warns = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { logger, lines } = captureLogger();
    const { app } = makeApp({ security: { allocateRateLimitPerMinute: 100 }, deps: { logger } });
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app).get('/available-server/').set('X-Forwarded-For', `203.0.113.${i}`);
      expect(res.status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 20));
    const warnings = lines().filter((l) => l.includes('TRUST_PROXY is unset'));
    expect(warnings).toHaveLength(1);
    expect(errors).not.toHaveBeenCalled();
    expect(warns).not.toHaveBeenCalled();
  });

  it('stays quiet when TRUST_PROXY is set', async () => {
    const { logger, lines } = captureLogger();
    const { app } = makeApp({ security: { allocateRateLimitPerMinute: 100, trustProxy: '1' }, deps: { logger } });
    await request(app).get('/available-server/').set('X-Forwarded-For', '203.0.113.9');
    await new Promise((r) => setTimeout(r, 20));
    expect(lines().filter((l) => l.includes('TRUST_PROXY'))).toHaveLength(0);
  });
});
