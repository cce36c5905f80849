import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createArbiterClient, ManagerError } from '../../src/runner/arbiter-client.js';
import { parseCliArgs, UsageError } from '../../src/runner/cli-args.js';

interface Seen { url: string; method: string; auth: string | undefined; body: string }

let server: Server | null = null;
afterEach(async () => {
  const s = server;
  server = null;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** A manager stand-in on loopback that records requests and answers after `delayMs`. */
async function fakeManager(answer: (req: Seen) => { status: number; body: unknown; delayMs?: number }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const record = { url: req.url ?? '', method: req.method ?? '', auth: req.headers.authorization, body };
      seen.push(record);
      const out = answer(record);
      setTimeout(() => res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body)), out.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const allocation = { available: '127.0.0.1:3000', server_id: 's1', name: 'gs-1', host: '127.0.0.1', ports: { game: 3000, web: 3080 }, backup: false };

describe('ArbiterClient wait', () => {
  it('asks with ?wait=30 by default, and the request may outlive requestTimeoutMs by the wait', async () => {
    const m = await fakeManager(() => ({ status: 200, body: allocation, delayMs: 300 }));
    const client = createArbiterClient({ managerUrl: m.url, requestTimeoutMs: 100 });
    const got = await client.allocate({ session: 'abc' });
    expect(got.serverId).toBe('s1');
    const url = new URL(m.seen[0]!.url, m.url);
    expect(url.pathname).toBe('/available-server/');
    expect(url.searchParams.get('wait')).toBe('30');
    expect(url.searchParams.get('session')).toBe('abc');
  });

  it('sends no wait when asked for 0, and then the plain timeout applies', async () => {
    const m = await fakeManager(() => ({ status: 200, body: allocation, delayMs: 3000 }));
    const client = createArbiterClient({ managerUrl: m.url, requestTimeoutMs: 100, waitSeconds: 0 });
    await expect(client.allocate({ session: 'abc' })).rejects.toMatchObject({ kind: 'unreachable' });
    expect(new URL(m.seen[0]!.url, m.url).searchParams.has('wait')).toBe(false);
  });

  it('a per-call wait overrides the default; out-of-range waits are refused', async () => {
    const m = await fakeManager(() => ({ status: 200, body: allocation }));
    const client = createArbiterClient({ managerUrl: m.url, waitSeconds: 5 });
    await client.allocate({ session: 'x', waitSeconds: 12 });
    expect(new URL(m.seen[0]!.url, m.url).searchParams.get('wait')).toBe('12');
    await expect(client.allocate({ session: 'x', waitSeconds: 61 })).rejects.toThrow(RangeError);
    expect(() => createArbiterClient({ managerUrl: m.url, waitSeconds: -1 })).toThrow(/waitSeconds/);
  });
});

describe('ArbiterClient announceDemand', () => {
  it('posts the signal as JSON with the token', async () => {
    const m = await fakeManager(() => ({ status: 200, body: { source: 'arena', seats: 40, expiresAt: 'x' } }));
    const client = createArbiterClient({ managerUrl: `${m.url}/`, token: 'tok' });
    await client.announceDemand({ source: 'arena', seats: 40, ttl: 30 });
    expect(m.seen[0]).toMatchObject({ url: '/api/demand', method: 'POST', auth: 'Bearer tok' });
    expect(JSON.parse(m.seen[0]!.body)).toEqual({ source: 'arena', seats: 40, ttl: 30 });
  });

  it('a refusal is a ManagerError carrying the reason', async () => {
    const m = await fakeManager(() => ({ status: 401, body: { error: 'a bearer token is required', code: 'unauthorized' } }));
    const client = createArbiterClient({ managerUrl: m.url });
    const err = await client.announceDemand({ source: 'arena', seats: 1, ttl: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManagerError);
    expect((err as ManagerError).message).toMatch(/401.*bearer token/);
  });
});

describe('arbiter-run-match --wait', () => {
  const match = ['--manager', 'http://127.0.0.1:8000', '--out', '/tmp/x', '--game', 'G', '--client', 'a', '--client', 'b'];
  it.each([
    { argv: match, want: 30 },
    { argv: [...match, '--wait', '0'], want: 0 },
    { argv: [...match, '--wait', '45'], want: 45 },
  ])('--wait gives $want', ({ argv, want }) => {
    expect(parseCliArgs(argv, {}).waitSeconds).toBe(want);
  });
  it.each(['61', 'soon', '-1'])('refuses --wait %s', (value) => {
    expect(() => parseCliArgs([...match, '--wait', value], {})).toThrow(UsageError);
  });
});
