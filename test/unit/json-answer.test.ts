import express, { type Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sendJson } from '../../src/api/json-answer.js';

function app(direct: boolean, status: number, body: unknown): Express {
  const a = express();
  a.disable('x-powered-by');
  a.set('etag', false);
  a.get('/x', (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (direct) sendJson(req, res, status, body);
    else res.status(status).json(body);
  });
  return a;
}

async function answer(a: Express, method: 'get' | 'head', headers: Record<string, string | undefined>) {
  let req = request(a)[method]('/x');
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) req = req.set(k, v);
  const res = await req.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
  });
  const headersSeen = Object.entries(res.headers).filter(([k]) => k !== 'date');
  return { status: res.status, headers: headersSeen, body: res.body as unknown };
}

describe('sendJson answers as res.status().json() does', () => {
  const server = { available: '10.0.0.1:3000', server_id: 'srv-1', name: 'gs-ü', host: '10.0.0.1', ports: { game: 3000, web: 3080 }, backup: false };
  it.each([
    { name: 'a server', status: 200, body: server, method: 'get' as const, headers: {} },
    { name: 'no room', status: 503, body: { error: 'no gameserver has room: full', code: 'no_capacity' }, method: 'get' as const, headers: {} },
    { name: 'HEAD', status: 200, body: server, method: 'head' as const, headers: {} },
    { name: 'If-None-Match: *', status: 200, body: server, method: 'get' as const, headers: { 'If-None-Match': '*' } },
    { name: 'If-Modified-Since', status: 200, body: server, method: 'get' as const, headers: { 'If-Modified-Since': 'Tue, 01 Dec 2026 00:00:00 GMT' } },
  ])('$name', async ({ status, body, method, headers }) => {
    expect(await answer(app(true, status, body), method, headers)).toEqual(await answer(app(false, status, body), method, headers));
  });
});
