// Drain needs the manager's word: with ARBITER_SIDECAR_TOKEN set, /drain/ and /undrain/ refuse requests without it,
// and the manager's prober sends it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpProber } from '../../src/manager/prober.js';
import { loadSidecarEnv } from '../../src/sidecar/config.js';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';

const TOKEN = 'sidecar-token-0123456789abcdef';
let cerveau: FakeCerveau;
let sidecar: Sidecar;
let port: number;
const probers: HttpProber[] = [];

beforeEach(async () => {
  cerveau = await startFakeCerveau();
  sidecar = createSidecar({ cerveauUrl: cerveau.url, maxSessions: 2, port: 0, host: '127.0.0.1', drainToken: TOKEN });
  port = (await sidecar.listen()).port;
});
afterEach(async () => {
  for (const p of probers.splice(0)) await p.close();
  await sidecar.close();
  await cerveau.close();
});

describe('sidecar drain token', () => {
  it.each([
    { name: 'no credentials', headers: {} as Record<string, string> },
    { name: 'a wrong token', headers: { authorization: 'Bearer not-the-token-at-all-xx' } },
    { name: 'the token without the Bearer scheme', headers: { authorization: TOKEN } },
    { name: 'a longer token', headers: { authorization: `Bearer ${TOKEN}x` } },
  ])('refuses /drain/ and /undrain/ with $name', async ({ headers }) => {
    for (const path of ['/drain/', '/DRAIN', '/undrain/']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toMatch(/ARBITER_SIDECAR_TOKEN/);
    }
    expect(sidecar.health().draining).toBe(false);
  });

  it('obeys the manager, whose prober sends the token', async () => {
    const prober = new HttpProber({ timeoutMs: 1000, drainToken: TOKEN });
    probers.push(prober);
    expect(await prober.setDraining('127.0.0.1', port, true)).toBe(true);
    expect(sidecar.health()).toMatchObject({ draining: true, available_capacity: 0 });
    expect(await prober.setDraining('127.0.0.1', port, false)).toBe(true);
    expect(sidecar.health().draining).toBe(false);
    const without = new HttpProber({ timeoutMs: 1000 });
    probers.push(without);
    expect(await without.setDraining('127.0.0.1', port, true)).toBe(false);
    expect(sidecar.health().draining).toBe(false);
  });

  it('the sidecar refuses to start with a short token, naming the variable', () => {
    expect(() => loadSidecarEnv({ ARBITER_SIDECAR_TOKEN: 'short' })).toThrow(/ARBITER_SIDECAR_TOKEN/);
    expect(loadSidecarEnv({ ARBITER_SIDECAR_TOKEN: TOKEN }).ARBITER_SIDECAR_TOKEN).toBe(TOKEN);
  });
});
