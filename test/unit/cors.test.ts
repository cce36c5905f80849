import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { apiCors } from '../../src/api/cors.js';

const methods = ['GET', 'POST', 'DELETE'];
const exposedHeaders = ['Retry-After'];
const listed = ['https://arena.example.org', 'http://localhost:5173'];

function appWith(middleware: RequestHandler): Express {
  const app = express();
  app.use((_req, res, next) => {
    // A Vary the route had already set, so that the two are seen to add to it alike.
    res.setHeader('Vary', 'Accept-Encoding');
    next();
  });
  app.use(middleware);
  app.all('/x', (_req, res) => void res.json({ ok: true }));
  return app;
}

async function headersOf(app: Express, method: 'get' | 'post' | 'options' | 'delete', headers: Record<string, string | undefined>) {
  let req = request(app)[method]('/x');
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) req = req.set(k, v);
  const res = await req;
  const keep = Object.entries(res.headers).filter(([k]) => k.startsWith('access-control-') || k === 'vary' || k === 'content-length');
  return { status: res.status, headers: keep };
}

describe('apiCors answers as the cors package does', () => {
  it.each([
    { name: 'any origin, no Origin header', origin: '*' as const, method: 'get' as const, headers: {} },
    { name: 'any origin, a GET from a page', origin: '*' as const, method: 'get' as const, headers: { Origin: 'https://anywhere.example' } },
    { name: 'any origin, a POST', origin: '*' as const, method: 'post' as const, headers: { Origin: 'https://anywhere.example' } },
    { name: 'any origin, a preflight', origin: '*' as const, method: 'options' as const, headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'authorization' } },
    { name: 'listed origins, a listed one', origin: listed, method: 'get' as const, headers: { Origin: 'http://localhost:5173' } },
    { name: 'listed origins, another one', origin: listed, method: 'get' as const, headers: { Origin: 'https://evil.example.com' } },
    { name: 'listed origins, no Origin header', origin: listed, method: 'delete' as const, headers: {} },
    { name: 'listed origins, a listed one in another case', origin: listed, method: 'get' as const, headers: { Origin: 'HTTPS://arena.example.org' } },
    { name: 'listed origins, a preflight from a listed one', origin: listed, method: 'options' as const, headers: { Origin: listed[0] as string, 'Access-Control-Request-Method': 'DELETE' } },
    { name: 'listed origins, a preflight from another one', origin: listed, method: 'options' as const, headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'DELETE' } },
    { name: 'no origins listed', origin: [] as string[], method: 'get' as const, headers: { Origin: 'https://a.example' } },
  ])('$name', async ({ origin, method, headers }) => {
    const ours = appWith(apiCors({ origin, methods, exposedHeaders }));
    const theirs = appWith(cors({ origin: origin === '*' ? '*' : [...origin], methods, exposedHeaders }));
    expect(await headersOf(ours, method, headers)).toEqual(await headersOf(theirs, method, headers));
  });
});
