// The JSON logger keeps secrets out of its output, wherever in an event they sit.
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../api/capture-logger.js';

const SECRET = 'S3cr3t-value-that-must-never-be-logged';

describe('createLogger redaction', () => {
  it.each([
    { name: 'token', meta: { token: SECRET } },
    { name: 'adminToken', meta: { adminToken: SECRET } },
    { name: 'password', meta: { password: SECRET } },
    { name: 'authorization', meta: { authorization: `Bearer ${SECRET}` } },
    { name: 'Authorization', meta: { Authorization: `Bearer ${SECRET}` } },
    { name: 'secretAccessKey', meta: { secretAccessKey: SECRET } },
    { name: 'accessKeyId', meta: { accessKeyId: SECRET } },
    { name: 'sessionToken', meta: { sessionToken: SECRET } },
    { name: 'cookie', meta: { cookie: `sid=${SECRET}` } },
    { name: 'apiKey', meta: { apiKey: SECRET } },
    { name: 'credentials', meta: { credentials: { user: 'u', pass: SECRET } } },
    { name: 'nested headers.authorization', meta: { headers: { authorization: `Bearer ${SECRET}`, accept: 'json' } } },
    { name: 'deeply nested password', meta: { request: { body: { user: { password: SECRET } } } } },
    { name: 'token inside an array', meta: { attempts: [{ ok: true }, { token: SECRET }] } },
    { name: 'bearer header inside a string field', meta: { detail: `sent Authorization: Bearer ${SECRET} to the server` } },
    { name: 'bearer value inside an array of strings', meta: { rawHeaders: ['Authorization', `Bearer ${SECRET}`] } },
  ])('keeps $name out of the output', ({ meta }) => {
    const { logger, text } = captureLogger();
    logger.info('request seen', meta);
    expect(text()).toContain('request seen');
    expect(text()).not.toContain(SECRET);
  });

  it('keeps a secret in the base fields out of the output', () => {
    const { logger, text } = captureLogger({ base: { service: 'arbiter', heartbeatToken: SECRET } });
    logger.warn('something', {});
    expect(text()).toContain('"service":"arbiter"');
    expect(text()).not.toContain(SECRET);
  });

  it('keeps a bearer token in the message itself out of the output', () => {
    const { logger, text } = captureLogger();
    logger.error(`upstream said Bearer ${SECRET}`);
    expect(text()).not.toContain(SECRET);
  });

  it('keeps the other fields, and marks what it removed', () => {
    const { logger, lines } = captureLogger();
    logger.info('server active', { serverId: 'srv-1', free: 3, nested: { name: 'gs-1', token: SECRET }, list: [1, 'two'] });
    const line = JSON.parse(lines()[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      message: 'server active',
      serverId: 'srv-1',
      free: 3,
      nested: { name: 'gs-1', token: '[redacted]' },
      list: [1, 'two'],
    });
    expect(typeof line.timestamp).toBe('string');
  });

  it('does not change the caller’s objects', () => {
    const { logger } = captureLogger();
    const meta = { headers: { authorization: `Bearer ${SECRET}` }, token: SECRET };
    logger.info('request seen', meta);
    expect(meta).toEqual({ headers: { authorization: `Bearer ${SECRET}` }, token: SECRET });
  });

  it('survives circular fields', () => {
    const { logger, text } = captureLogger();
    const loop: Record<string, unknown> = { name: 'loop', password: SECRET };
    loop.self = loop;
    expect(() => logger.info('circular', { loop })).not.toThrow();
    expect(text()).toContain('circular');
    expect(text()).not.toContain(SECRET);
  });

  it('keeps dates and error messages readable', () => {
    const { logger, lines } = captureLogger();
    logger.info('when', { at: new Date('2026-11-23T10:00:00.000Z') });
    expect(JSON.parse(lines()[0] as string).at).toBe('2026-11-23T10:00:00.000Z');
  });

  it('writes one JSON object per line', () => {
    const { logger, lines } = captureLogger();
    logger.info('one', { a: 1 });
    logger.warn('two', { b: 2 });
    expect(lines().map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['one', 'two']);
  });
});
