// The manager owns server names: launches are named from the list, a replacement takes the name of the server it
// replaces, and servers found with a shared name or none are renamed with a line, a count and a note.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, createCapturingLogger, makeManagerConfig, type ManagerConfigOverrides } from '../support/factories.js';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const names = { prefix: 'fleet', words: ['alpha', 'bravo', 'charlie'] };

function harness(overrides: ManagerConfigOverrides = {}, backend?: FakeBackend, clock = new ManualClock(1_000_000)) {
  backend ??= new FakeBackend({ clock });
  const prober = new FakeProber({ capacity: 10 });
  const { logger, lines } = createCapturingLogger();
  const manager = createManager({ config: makeManagerConfig(overrides), backend, prober, clock, logger, names });
  managers.push(manager);
  const nameOf = (id: string) => manager.server(id)?.name;
  return { clock, backend, prober, manager, lines, nameOf };
}

describe('server names', () => {
  it('launches are named from the list in order, and the backend is given the names', async () => {
    const h = harness({ scaling: { minServers: 3, maxServers: 5 } });
    await h.manager.runTick();
    expect(h.backend.launchNames).toEqual([['fleet-alpha', 'fleet-bravo', 'fleet-charlie']]);
    expect(h.manager.servers().map((s) => s.name).sort()).toEqual(['fleet-alpha', 'fleet-bravo', 'fleet-charlie']);
    expect(h.backend.renames).toEqual([]);
  });

  it('a replacement takes the name of the unhealthy server it replaces, not the lowest free one', async () => {
    const clock = new ManualClock(1_000_000);
    const backend = new FakeBackend({ clock });
    // fleet-alpha is free: a fresh launch would take it
    backend.add({ name: 'fleet-bravo' });
    backend.add({ name: 'fleet-charlie' });
    const h = harness({ scaling: { minServers: 2, maxServers: 5, upscaleMargin: 0, downscaleMargin: 30 } }, backend, clock);
    await h.manager.runTick();
    await h.manager.runPolls();
    const bravo = h.manager.servers().find((s) => s.name === 'fleet-bravo')!;
    h.prober.server(bravo.host as string).failure = 'health poll failed: ECONNREFUSED';
    for (let i = 0; i < 3; i++) await h.manager.runPolls();
    await vi.waitFor(() => expect(h.backend.stops.map((s) => s.id)).toContain(bravo.id));
    await vi.waitFor(() => expect(h.backend.launchNames).toEqual([['fleet-bravo']]));
    await h.manager.runTick();
    const names = h.manager.servers().filter((s) => s.state !== 'stopping').map((s) => s.name).sort();
    expect(names).toEqual(['fleet-bravo', 'fleet-charlie']);
  });

  it('a launch that fails gives the replaced name back for the next launch', async () => {
    const h = harness({ scaling: { minServers: 1, maxServers: 3 } });
    await h.manager.runTick();
    await h.manager.runPolls();
    const alpha = h.manager.servers()[0]!;
    h.backend.launchError = new Error('RunTask throttled');
    h.prober.server(alpha.host as string).failure = 'health poll timed out';
    for (let i = 0; i < 3; i++) await h.manager.runPolls();
    await vi.waitFor(() => expect(h.backend.launchNames.length).toBe(2));
    expect(h.backend.launchNames[1]).toEqual(['fleet-alpha']);
    h.backend.launchError = null;
    await vi.waitFor(async () => {
      await h.manager.runTick();
      expect(h.manager.servers().some((s) => s.name === 'fleet-alpha' && s.id !== alpha.id)).toBe(true);
    });
  });

  it('two live servers with one name: the older keeps it, the younger is renamed, logged as an error, counted and noted', async () => {
    const clock = new ManualClock(1_000_000);
    const backend = new FakeBackend({ clock });
    const older = backend.add({ name: 'fleet-alpha', launchedAt: 10 });
    const younger = backend.add({ name: 'fleet-alpha', launchedAt: 20 });
    backend.add({ name: 'fleet-bravo', launchedAt: 5 });
    const h = harness({ scaling: { minServers: 3, maxServers: 5 } }, backend, clock);
    await h.manager.runTick();
    expect(h.nameOf(older.id)).toBe('fleet-alpha');
    expect(h.nameOf(younger.id)).toBe('fleet-charlie');
    expect(h.manager.server(younger.id)!.nameNote).toBe(`renamed from fleet-alpha: ${older.id} holds that name (launched first)`);
    expect(h.manager.server(older.id)!.nameNote).toBeNull();
    const line = h.lines.find((l) => l.message === 'server name collision');
    expect(line).toMatchObject({ level: 'error', name: 'fleet-alpha', keptBy: older.id, serverId: younger.id, renamedTo: 'fleet-charlie' });
    const collisions = await h.manager.metrics.registry.getSingleMetric('arbiter_name_collisions_total')!.get();
    expect(collisions.values[0]!.value).toBe(1);
    // the new name is written back, so the next manager finds no collision
    await vi.waitFor(() => expect(backend.renames).toEqual([{ id: younger.id, name: 'fleet-charlie' }]));
    const again = harness({ scaling: { minServers: 3, maxServers: 5 } }, backend, clock);
    await again.manager.runTick();
    expect(again.lines.filter((l) => l.message === 'server name collision')).toEqual([]);
    expect(again.manager.servers().map((s) => s.name).sort()).toEqual(['fleet-alpha', 'fleet-bravo', 'fleet-charlie']);
  });

  it('a server found without a list name is named and tagged; a stopping one keeps its name and frees it', async () => {
    const clock = new ManualClock(1_000_000);
    const backend = new FakeBackend({ clock });
    const unnamed = backend.add({ name: '' });
    const stopping = backend.add({ name: 'fleet-alpha', status: 'stopping' });
    const h = harness({ scaling: { minServers: 1, maxServers: 5 } }, backend, clock);
    await h.manager.runTick();
    expect(h.nameOf(unnamed.id)).toBe('fleet-alpha');
    expect(h.nameOf(stopping.id)).toBe('fleet-alpha');
    expect(h.lines.find((l) => l.message === 'server named')).toMatchObject({ serverId: unnamed.id, name: 'fleet-alpha' });
    await vi.waitFor(() => expect(backend.renames).toEqual([{ id: unnamed.id, name: 'fleet-alpha' }]));
  });
});
