// Operator holds (drain) are recorded in the backend and rebuilt on start; refused commands change nothing; a standby
// server that is not draining is drained again; a repeated session id never lands on a server out of rotation.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, createCapturingLogger, makeManagerConfig } from '../support/factories.js';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function harness(shared?: { backend: FakeBackend; prober: FakeProber; clock: ManualClock }) {
  const clock = shared?.clock ?? new ManualClock();
  const backend = shared?.backend ?? new FakeBackend({ clock });
  const prober = shared?.prober ?? new FakeProber({ capacity: 10 });
  const { logger, lines } = createCapturingLogger();
  const manager = createManager({ config: makeManagerConfig({ scaling: { upscaleMargin: 4, downscaleMargin: 18, maxServers: 10 } }), backend, prober, clock, logger });
  managers.push(manager);
  const states = () => Object.fromEntries(manager.servers().map((s) => [s.id, s.state]));
  return { clock, backend, prober, manager, lines, states };
}

describe('operator holds', () => {
  it('a drained server stays out of rotation after a restart, even when demand rises', async () => {
    const first = harness();
    const [a, b] = [first.backend.add(), first.backend.add()];
    for (const s of [a, b]) first.prober.server(s.host as string).sessions = 5;
    await first.manager.start();
    expect(first.manager.drain(b.id).ok).toBe(true);
    await first.manager.settle();
    expect(first.backend.servers.get(b.id)).toMatchObject({ standby: true, held: true });
    await first.manager.close(); // as good as a SIGKILL here: nothing below reads the first manager's memory

    const second = harness(first);
    await second.manager.start();
    expect(second.states()).toEqual({ [a.id]: 'active', [b.id]: 'standby' });
    // Demand: a is nearly full, so free capacity is under the margin. b has room but is held; a launch is the answer.
    second.prober.server(a.host as string).sessions = 9;
    await second.manager.runPolls();
    await second.manager.runTick();
    await second.manager.settle();
    expect(second.states()[b.id]).toBe('standby');
    expect(second.backend.launches).toEqual([1]);
    expect(second.manager.server(b.id)?.inRotation).toBe(false);
  });

  it('undrain releases the hold in the backend and returns the server to the policy', async () => {
    const h = harness();
    const a = h.backend.add({ standby: true, held: true });
    h.prober.server(a.host as string).sessions = 1;
    h.prober.server(a.host as string).draining = true;
    await h.manager.start();
    expect(h.states()[a.id]).toBe('standby');
    expect(h.manager.undrain(a.id).ok).toBe(true);
    await h.manager.settle();
    expect(h.backend.servers.get(a.id)).toMatchObject({ standby: false, held: false });
    expect(h.prober.drainCalls.at(-1)).toMatchObject({ host: a.host, draining: false });
  });

  it.each([
    { name: 'drain', command: 'drain' as const },
    { name: 'undrain', command: 'undrain' as const },
  ])('a refused $name (an action in flight) changes nothing', async ({ command }) => {
    const h = harness();
    const [a] = [h.backend.add(), h.backend.add()];
    h.prober.server(a!.host as string).sessions = 2;
    await h.manager.start();
    // Put an action in flight on a: a drain whose backend call has not finished yet.
    expect(h.manager.drain(a!.id).ok).toBe(true);
    const before = { ...h.manager.server(a!.id)!, ageSeconds: 0 };
    const marks = h.backend.standbyMarks.length;
    const result = h.manager[command](a!.id);
    expect(result).toMatchObject({ ok: false, code: 'conflict' });
    expect({ ...h.manager.server(a!.id)!, ageSeconds: 0 }).toEqual(before);
    await h.manager.settle();
    expect(h.backend.standbyMarks.length).toBe(marks);
    expect(h.backend.servers.get(a!.id)).toMatchObject({ standby: true, held: true });
  });

  it('a standby server whose report says it is not draining is drained again on start', async () => {
    const h = harness();
    // What a manager killed between tagging and /drain/ leaves: tagged standby, gameserver not draining.
    const [a, b] = [h.backend.add(), h.backend.add({ standby: true })];
    h.prober.server(a.host as string).sessions = 2;
    h.prober.server(b.host as string).sessions = 0;
    await h.manager.start();
    await h.manager.settle();
    expect(h.prober.drainCalls).toEqual([expect.objectContaining({ host: b.host, draining: true })]);
    // Drained, empty, ready to close: the policy can finally stop it.
    await h.manager.runPolls();
    await h.manager.runTick();
    await h.manager.settle();
    expect(h.backend.stops).toEqual([{ id: b.id, reason: 'standby and ready to close' }]);
  });

  it('a repeated session id is never answered with a drained server', async () => {
    const h = harness();
    const [a, b] = [h.backend.add(), h.backend.add()];
    for (const s of [a, b]) h.prober.server(s.host as string).sessions = 3;
    await h.manager.start();
    const first = h.manager.allocate('match-1');
    expect(first.kind).toBe('server');
    const id = first.kind === 'server' ? first.server.id : '';
    expect(h.manager.drain(id).ok).toBe(true);
    const again = h.manager.allocate('match-1');
    expect(again.kind).toBe('server');
    expect(again.kind === 'server' && again.server.id).not.toBe(id);
  });
});
