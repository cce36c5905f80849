import express from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { helmetHeaders, securityHeaders } from '../../src/api/security-headers.js';

const OPTIONS: HelmetOptions[] = [
  { contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } },
  {},
  { hsts: false, frameguard: { action: 'deny' } },
];

async function headersOf(use: express.RequestHandler): Promise<Record<string, unknown>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(use);
  app.get('/x', (_req, res) => res.json({ ok: true }));
  const res = await request(app).get('/x').expect(200);
  const { date: _date, ...rest } = res.headers as Record<string, unknown>;
  return rest;
}

describe('precomputed security headers', () => {
  it.each(OPTIONS.map((options, i) => ({ i, options })))('send exactly what helmet sends per request (options #$i)', async ({ options }) => {
    expect(await headersOf(securityHeaders(options))).toEqual(await headersOf(helmet(options)));
  });

  it('include the headers the API relies on', () => {
    const names = new Map(helmetHeaders(OPTIONS[0] as HelmetOptions));
    expect(names.get('x-content-type-options')).toBe('nosniff');
    expect(names.get('content-security-policy')).toContain("default-src 'self'");
    expect(names.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(names.has('x-powered-by')).toBe(false);
  });
});
