// Requests and responses born with the app's prototypes: Express finds them already set (no setPrototypeOf on a
// fresh object), and everything Express adds to them works on a real server.
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { bornPrototypes } from '../../src/api/born-prototypes.js';

let server: Server | null = null;

afterEach(async () => {
  const s = server;
  server = null;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
});

async function listen(s: Server): Promise<string> {
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('bornPrototypes', () => {
  it("gives node:http's objects the app's prototypes before Express sees them, and Express's methods work", async () => {
    const app = express();
    app.get('/x', (req, res) => {
      res.status(201).json({ path: req.path, query: req.query, ip: req.ip, isRequest: req instanceof IncomingMessage });
    });
    const prototypes = bornPrototypes();
    const s = createServer(prototypes.serverOptions);
    const before: unknown[] = [];
    prototypes.adopt(app);
    // Runs before the app: what node:http made, as it made it.
    s.on('request', (req: IncomingMessage, res: ServerResponse) => before.push(Object.getPrototypeOf(req) === app.request, Object.getPrototypeOf(res) === app.response, res instanceof ServerResponse));
    s.on('request', app);
    const base = await listen(s);
    const answer = await fetch(`${base}/x?a=1`);
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ path: '/x', query: { a: '1' }, ip: '127.0.0.1', isRequest: true });
    expect(before).toEqual([true, true, true]);
  });

  it("serves node:http's own prototypes until an app is adopted", async () => {
    const prototypes = bornPrototypes();
    const seen: unknown[] = [];
    const s = createServer(prototypes.serverOptions, (req, res) => {
      seen.push(Object.getPrototypeOf(req) === IncomingMessage.prototype, Object.getPrototypeOf(res) === ServerResponse.prototype);
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"starting"}');
    });
    const base = await listen(s);
    const answer = await fetch(`${base}/`);
    expect(answer.status).toBe(503);
    expect(seen).toEqual([true, true]);
  });
});
