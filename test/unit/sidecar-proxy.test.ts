import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { FakeCerveau, startFakeCerveau } from '../support/fake-cerveau.js';
import { freePort } from '../support/wait.js';

let cerveau: FakeCerveau;
let sidecar: Sidecar | undefined;
let base: string;

async function start(cerveauUrl: string): Promise<void> {
  sidecar = createSidecar({ cerveauUrl, maxSessions: 2, port: 0, host: '127.0.0.1', statusPollIntervalMs: 50 });
  const address = await sidecar.listen();
  base = `http://127.0.0.1:${address.port}`;
}

/** Raw bytes and headers, without fetch's automatic gunzip. */
function rawGet(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

beforeEach(async () => {
  cerveau = await startFakeCerveau();
});
afterEach(async () => {
  await sidecar?.close();
  sidecar = undefined;
  await cerveau.close();
});

describe('sidecar proxy', () => {
  it('forwards method, path, query, headers and body', async () => {
    await start(cerveau.url);
    const res = await fetch(`${base}/echo/a/b?x=1&y=two`, { method: 'PUT', headers: { 'x-test': 'yes', 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { method: string; url: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: 'PUT', url: '/echo/a/b?x=1&y=two', body: 'hello' });
    expect(echoed.headers['x-test']).toBe('yes');
  });

  it('passes status codes and JSON errors through', async () => {
    await start(cerveau.url);
    const res = await fetch(`${base}/gamelog/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Gamelog not found.' });
    const status = await fetch(`${base}/status/Nope/s`);
    expect(status.status).toBe(400);
  });

  it('passes /status through with a null gamelogFilename while the log is written', async () => {
    await start(cerveau.url);
    cerveau.join('Chess', 'g', ['a', 'b']);
    cerveau.finish('Chess', 'g', { gamelogDelayMs: 60_000 });
    const body = (await (await fetch(`${base}/status/Chess/g`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'over', gameName: 'Chess', gameSession: 'g', requiredNumberOfPlayers: 2, gamelogFilename: null });
  });

  it('streams the gzip gamelog bytes unchanged', async () => {
    await start(cerveau.url);
    cerveau.join('Chess', 'g', ['a', 'b']);
    const { gamelogFilename } = cerveau.finish('Chess', 'g', { winnerIndex: 1 });
    const res = await rawGet(`${base}/gamelog/${gamelogFilename}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(res.body).toEqual(gzipSync(cerveau.gamelogs.get(gamelogFilename!)!));
    expect(JSON.parse(gunzipSync(res.body).toString('utf8'))).toMatchObject({ gameName: 'Chess', gameSession: 'g', winners: [{ index: 1, name: 'b' }] });
  });

  it('answers 502 JSON when Cerveau is down', async () => {
    await start(`http://127.0.0.1:${await freePort()}`);
    const res = await fetch(`${base}/status/Chess/s`);
    expect(res.status).toBe(502);
    expect(await res.json()).toHaveProperty('error');
    const setup = await fetch(`${base}/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gameName: 'Chess', session: 's', gameSettings: { playerNames: ['a', 'b'] } }),
    });
    // the probe has found Cerveau down, so the setup is refused before anything is forwarded
    expect(setup.status).toBe(503);
    expect(sidecar?.health()).toMatchObject({ active_sessions: 0, available_capacity: 0 });
  });

  it.each([
    { method: 'POST', path: '/health/' },
    { method: 'GET', path: '/drain/' },
  ])('answers 405 to $method $path', async ({ method, path }) => {
    await start(cerveau.url);
    expect((await fetch(`${base}${path}`, { method })).status).toBe(405);
  });

  it('close() is idempotent', async () => {
    await start(cerveau.url);
    await Promise.all([sidecar?.close(), sidecar?.close()]);
    await sidecar?.close();
  });
});
