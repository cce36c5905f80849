// The sidecar tells the truth about Cerveau: while Cerveau is dead or hung, /health/ fails with the reason and
// /setup is refused; at start it reports capacity only once Cerveau answers.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { FakeCerveau } from '../support/fake-cerveau.js';
import { freePort, waitFor } from '../support/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startSidecar(cerveauUrl: string): Promise<{ sidecar: Sidecar; base: string }> {
  const sidecar = createSidecar({ cerveauUrl, maxSessions: 3, port: 0, host: '127.0.0.1', cerveauProbeIntervalMs: 50, cerveauProbeTimeoutMs: 200 });
  cleanups.push(() => sidecar.close());
  const { port } = await sidecar.listen();
  return { sidecar, base: `http://127.0.0.1:${port}` };
}

async function health(base: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/health/`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const setupBody = JSON.stringify({ gameName: 'Chess', session: 's1', gameSettings: { playerNames: ['a', 'b'] } });
const postSetup = (base: string) => fetch(`${base}/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: setupBody });

describe('sidecar probes Cerveau', () => {
  it('reports capacity only once Cerveau answers, fails /health/ when it dies, recovers when it is back', async () => {
    const port = await freePort();
    const { base } = await startSidecar(`http://127.0.0.1:${port}`);
    const before = await health(base);
    expect(before.status).toBe(503);
    expect(before.body).toMatchObject({ available_capacity: 0, error: expect.stringMatching(/unreachable|not answered/) });
    expect((await postSetup(base)).status).toBe(503);

    let cerveau = new FakeCerveau();
    await cerveau.listen(port);
    cleanups.push(() => cerveau.close());
    await waitFor(async () => (await health(base)).status === 200, { timeoutMs: 5000 });
    expect((await health(base)).body).toMatchObject({ available_capacity: 3, max_capacity: 3 });

    await cerveau.close();
    await waitFor(async () => (await health(base)).status === 503, { timeoutMs: 5000 });
    const down = await health(base);
    expect(down.body).toMatchObject({ available_capacity: 0, error: expect.stringMatching(/Cerveau is unreachable/) });
    const refused = await postSetup(base);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toMatch(/does not answer/);

    cerveau = new FakeCerveau();
    await cerveau.listen(port);
    cleanups.push(() => cerveau.close());
    await waitFor(async () => (await health(base)).status === 200, { timeoutMs: 5000 });
  });

  it('fails /health/ while Cerveau accepts connections but never answers (hung)', async () => {
    const hung: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          hung.close(() => resolve());
          hung.closeAllConnections();
        }),
    );
    const address = hung.address() as { port: number };
    const { sidecar, base } = await startSidecar(`http://127.0.0.1:${address.port}`);
    const res = await health(base);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/did not answer within 200 ms/);
    expect(sidecar.cerveauProblem()).toMatch(/did not answer/);
  });
});
