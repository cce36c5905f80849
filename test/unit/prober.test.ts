import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpProber, type HealthProber, type HttpProberOptions } from '../../src/manager/prober.js';
import { WorkerProber } from '../../src/manager/worker-prober.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { freePort } from '../support/wait.js';

// One contract, two probers: the HTTP client in the manager's thread, and the same client in a worker thread.
const PROBERS: Array<{ kind: string; make: (options: HttpProberOptions) => HealthProber }> = [
  { kind: 'HttpProber', make: (options) => new HttpProber(options) },
  { kind: 'WorkerProber', make: (options) => new WorkerProber({ ...options, logger: createSilentLogger() }) },
];

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let port: number;
let handler: Handler;
let prober: HealthProber;
const requests: Array<{ method: string | undefined; url: string | undefined }> = [];

const json = (status: number, body: unknown): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe.each(PROBERS)('$kind', ({ make }) => {
beforeEach(async () => {
  requests.length = 0;
  handler = json(200, { available_capacity: 4, ready_to_close: false });
  server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  prober = make({ timeoutMs: 300 });
});

afterEach(async () => {
  await prober.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('probe', () => {
  it('reads a good answer from GET /health/', async () => {
    handler = json(200, { available_capacity: 4, ready_to_close: false, max_capacity: 10, active_sessions: 6 });
    expect(await prober.probe('127.0.0.1', port)).toEqual({
      ok: true,
      report: { availableCapacity: 4, readyToClose: false, maxCapacity: 10, activeSessions: 6 },
    });
    expect(requests).toEqual([{ method: 'GET', url: '/health/' }]);
  });

  it('a server that answers too slowly is a failed poll, within the timeout', async () => {
    handler = () => {
      // Never answers; the prober must give up on its own.
    };
    const started = Date.now();
    expect(await prober.probe('127.0.0.1', port)).toEqual({ ok: false, error: 'health poll timed out' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a body that stalls halfway is a failed poll', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"available_capacity": 4,');
    };
    expect(await prober.probe('127.0.0.1', port)).toEqual({ ok: false, error: 'health poll timed out' });
  });

  it.each([
    { name: 'non-2xx, even with a valid body', handler: json(503, { available_capacity: 4, ready_to_close: false }), error: /^health answered HTTP 503$/ },
    { name: 'a redirect', handler: json(301, ''), error: /^health answered HTTP 301$/ },
    { name: 'non-JSON', handler: json(200, '<html>hello</html>'), error: /^health answer is not JSON$/ },
    { name: 'an empty body', handler: json(200, ''), error: /^health answer is not JSON$/ },
    { name: 'JSON outside the contract', handler: json(200, { available_capacity: -3, ready_to_close: false }), error: /^invalid health answer: available_capacity/ },
    { name: 'a huge body', handler: json(200, { available_capacity: 1, ready_to_close: false, pad: 'x'.repeat(200_000) }), error: /larger than 16384 bytes/ },
  ])('$name is a failed poll', async (row) => {
    handler = row.handler;
    const result = await prober.probe('127.0.0.1', port);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(row.error);
  });

  it('a closed port is a failed poll', async () => {
    const closed = await freePort();
    const result = await prober.probe('127.0.0.1', closed);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.error).toMatch(/^health poll failed: ECONNREFUSED/);
  });

  it('polls many times over kept-alive connections', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => prober.probe('127.0.0.1', port)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(requests).toHaveLength(20);
  });

  it('keeps one connection per gameserver, however many polls and drain requests it sends', async () => {
    let connections = 0;
    server.on('connection', () => (connections += 1));
    const polls = Array.from({ length: 20 }, () => prober.probe('127.0.0.1', port));
    const drain = prober.setDraining('127.0.0.1', port, true);
    const results = await Promise.all(polls);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await drain).toBe(true);
    expect(requests).toHaveLength(21);
    expect(connections).toBe(1);
  });
  it('sends a poll again, once, on a new connection when the gameserver closed the kept-alive one under it', async () => {
    const served = new WeakMap<object, number>();
    let connections = 0;
    server.on('connection', () => (connections += 1));
    handler = (req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      // The second request on a connection finds it closing: the race between an idle timeout and a reuse.
      if (count === 2) req.socket.destroy();
      else json(200, { available_capacity: 4, ready_to_close: false })(req, res);
    };
    expect(await prober.probe('127.0.0.1', port)).toMatchObject({ ok: true });
    expect(await prober.probe('127.0.0.1', port)).toMatchObject({ ok: true });
    expect(connections).toBe(2);
  });

  it('a gameserver that closes every new connection unanswered is a failed poll, not retried', async () => {
    handler = (req) => req.socket.destroy();
    const result = await prober.probe('127.0.0.1', port);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.error).toMatch(/^health poll failed: ECONNRESET/);
    expect(requests).toHaveLength(1);
  });
});

describe('setDraining', () => {
  it.each([
    { draining: true, url: '/drain/' },
    { draining: false, url: '/undrain/' },
  ])('POSTs $url', async ({ draining, url }) => {
    handler = json(200, {});
    expect(await prober.setDraining('127.0.0.1', port, draining)).toBe(true);
    expect(requests).toEqual([{ method: 'POST', url }]);
  });

  it('is false when the gameserver has no drain route, or does not answer', async () => {
    handler = json(404, { error: 'not found' });
    expect(await prober.setDraining('127.0.0.1', port, true)).toBe(false);
    expect(await prober.setDraining('127.0.0.1', await freePort(), true)).toBe(false);
  });
});

describe('options', () => {
  it.each([0, -1, Number.NaN])('refuses timeoutMs %s', (timeoutMs) => {
    expect(() => make({ timeoutMs })).toThrow(/timeoutMs must be a positive number/);
  });
});
});
