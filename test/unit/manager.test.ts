import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../support/manual-clock.js';
import { Manager, type ManagerDeps } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import {
  FakeBackend,
  FakeProber,
  createCapturingLogger,
  makeManagerConfig,
  type ManagerConfigOverrides,
} from '../support/factories.js';

const managers: Manager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function harness(
  overrides: ManagerConfigOverrides = {},
  shared?: { backend: FakeBackend; prober: FakeProber; clock: ManualClock },
  hooks: Pick<ManagerDeps, 'onRebuilt' | 'onReady'> = {},
) {
  const clock = shared?.clock ?? new ManualClock();
  const backend = shared?.backend ?? new FakeBackend({ clock });
  const prober = shared?.prober ?? new FakeProber({ capacity: 10 });
  const { logger, lines } = createCapturingLogger();
  const manager = createManager({ config: makeManagerConfig(overrides), backend, prober, clock, logger, ...hooks });
  managers.push(manager);
  const host = (id: string) => backend.servers.get(id)?.host as string;
  const states = () => Object.fromEntries(manager.servers().map((s) => [s.id, s.state]));
  const counter = async (name: string) => {
    const metric = manager.metrics.registry.getSingleMetric(name);
    // every known series starts at 0; the tests look at what moved
    return metric ? (await metric.get()).values.filter((v) => v.value !== 0) : [];
  };
  return { clock, backend, prober, manager, lines, host, states, counter };
}

describe('Manager', () => {
  it('scales up from empty to the margin, and again when sessions use the room', async () => {
    const h = harness({ scaling: { upscaleMargin: 25, downscaleMargin: 40 } });
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([3]);
    expect(Object.values(h.states())).toEqual(['pending', 'pending', 'pending']);
    expect(h.manager.status().free).toBe(30);
    await h.manager.runPolls();
    expect(Object.values(h.states())).toEqual(['active', 'active', 'active']);
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([3]);
    for (const s of h.backend.live()) h.prober.server(s.host as string).sessions = 5;
    await h.manager.runPolls();
    expect(h.manager.status().free).toBe(15);
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([3, 1]);
    await h.manager.runPolls();
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([3, 1]);
    expect(h.manager.status().free).toBe(25);
  });

  it('with no room, answers with the backup server and wakes the loop to scale at once', async () => {
    const h = harness();
    expect(h.manager.allocate()).toEqual({ kind: 'backup', host: '127.0.0.1', port: 8888, reason: 'no server in rotation' });
    await vi.waitFor(() => expect(h.backend.launches).toEqual([1]));
    expect(await h.counter('arbiter_loop_wakes_total')).toEqual([expect.objectContaining({ labels: { cause: 'no_room' }, value: 1 })]);
    await h.manager.runPolls();
    const got = h.manager.allocate('match-1');
    expect(got).toMatchObject({ kind: 'server', reused: false, server: { id: 'srv-1', host: h.host('srv-1') } });
    expect(h.manager.allocate('match-1')).toMatchObject({ kind: 'server', reused: true, server: { id: 'srv-1' } });
  });

  it('with no room and no backup, answers none', async () => {
    const h = harness({ backup: null });
    expect(h.manager.allocate()).toEqual({ kind: 'none', reason: 'no server in rotation' });
    await vi.waitFor(() => expect(h.backend.launches).toEqual([1]));
  });

  it('launches as soon as allocations take free capacity below the margin, not at the next tick', async () => {
    // SLEEP_TIME 10 s and no loop started: only the demand check can launch within the wait below.
    const h = harness({ scaling: { upscaleMargin: 25, downscaleMargin: 40 } });
    await h.manager.runTick();
    await h.manager.runPolls();
    expect(h.manager.status().free).toBe(30);
    for (let i = 0; i < 5; i++) expect(h.manager.allocate()).toMatchObject({ kind: 'server' });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.backend.launches).toEqual([3]);
    expect(h.manager.allocate()).toMatchObject({ kind: 'server' });
    await vi.waitFor(() => expect(h.backend.launches).toEqual([3, 1]), { timeout: 2_000 });
    expect(await h.counter('arbiter_loop_wakes_total')).toEqual([expect.objectContaining({ labels: { cause: 'demand' }, value: 1 })]);
  });

  it('launches as soon as a poll round shows the sessions that took the room', async () => {
    const h = harness({ scaling: { upscaleMargin: 25, downscaleMargin: 40 } });
    await h.manager.runTick();
    await h.manager.runPolls();
    for (const s of h.backend.live()) h.prober.server(s.host as string).sessions = 2;
    await h.manager.runPolls();
    expect(h.manager.status().free).toBe(24);
    await vi.waitFor(() => expect(h.backend.launches).toEqual([3, 1]), { timeout: 2_000 });
  });

  it('scales down through standby, and stops a standby server only once it holds no sessions', async () => {
    const h = harness();
    const [a, b, c] = [h.backend.add(), h.backend.add(), h.backend.add()];
    h.prober.server(a.host as string).sessions = 3;
    await h.manager.runTick();
    await h.manager.runPolls();
    expect(h.manager.status().free).toBe(27);
    await h.manager.runTick();
    await h.manager.settle();
    // The emptiest goes first; one is enough to be back under the downscale margin.
    expect(h.states()).toEqual({ [a.id]: 'active', [b.id]: 'standby', [c.id]: 'active' });
    expect(h.backend.standbyMarks).toEqual([{ id: b.id, standby: true }]);
    expect(h.prober.drainCalls).toMatchObject([{ host: b.host, draining: true }]);
    expect(h.manager.allocate()).toMatchObject({ kind: 'server', server: { id: a.id } });
    // A player is still on it: the standby server is kept.
    h.prober.server(b.host as string).sessions = 1;
    await h.manager.runPolls();
    await h.manager.runTick();
    await h.manager.settle();
    expect(h.backend.stops).toEqual([]);
    h.prober.server(b.host as string).sessions = 0;
    await h.manager.runPolls();
    await h.manager.runTick();
    await h.manager.settle();
    expect(h.backend.stops).toEqual([{ id: b.id, reason: 'standby and ready to close' }]);
    await h.manager.runTick();
    expect(Object.keys(h.states())).toEqual([a.id, c.id]);
  });

  it('a restarted manager finds its standby servers again and launches nothing', async () => {
    const first = harness();
    const [a, b, c] = [first.backend.add(), first.backend.add(), first.backend.add()];
    first.prober.server(a.host as string).sessions = 3;
    await first.manager.runTick();
    await first.manager.runPolls();
    await first.manager.runTick();
    await first.manager.settle();
    first.prober.server(b.host as string).sessions = 1;
    await first.manager.close();

    const second = harness({}, first);
    await second.manager.start();
    expect(second.manager.status().ready).toBe(true);
    expect(second.states()).toEqual({ [a.id]: 'active', [b.id]: 'standby', [c.id]: 'active' });
    await second.manager.runTick();
    await second.manager.settle();
    expect(first.backend.launches).toEqual([]);
    expect(first.backend.stops).toEqual([]);
    expect(second.states()).toEqual({ [a.id]: 'active', [b.id]: 'standby', [c.id]: 'active' });
  });

  it.each([
    { name: 'its first listing failed', listFails: true, pollFails: false },
    { name: 'its first poll of the server failed', listFails: false, pollFails: true },
  ])('after a restart where $name, long-running servers are not stopped as if they never started', async ({ listFails, pollFails }) => {
    const h = harness();
    const old = [h.backend.add({ launchedAt: h.clock.now() - 3_600_000 }), h.backend.add({ launchedAt: h.clock.now() - 3_600_000 })];
    for (const s of old) h.prober.server(s.host as string).sessions = 4;
    if (listFails) h.backend.listError = new Error('ListTasks throttled');
    if (pollFails) h.prober.server(old[0]!.host as string).failure = 'health poll timed out';
    await h.manager.start();
    h.backend.listError = null;
    await h.manager.runTick();
    await h.manager.settle();
    expect(h.backend.stops).toEqual([]);
    h.prober.server(old[0]!.host as string).failure = null;
    await h.manager.runPolls();
    expect(Object.values(h.states())).toEqual(['active', 'active']);
  });

  it.each([
    { name: 'a listing that works', listFails: false, rebuilt: [{ listCalls: 1, servers: 2, probes: 0 }] },
    { name: 'a first listing that fails', listFails: true, rebuilt: [] },
  ])('start: onRebuilt once the listing is applied and before any poll, onReady after the poll round ($name)', async ({ listFails, rebuilt }) => {
    const seen: Array<{ listCalls: number; servers: number; probes: number }> = [];
    const ready: number[] = [];
    let h!: ReturnType<typeof harness>;
    h = harness({}, undefined, {
      onRebuilt: () => seen.push({ listCalls: h.backend.listCalls, servers: h.manager.servers().length, probes: h.prober.probes.length }),
      onReady: () => ready.push(h.prober.probes.length),
    });
    h.backend.add();
    h.backend.add();
    if (listFails) h.backend.listError = new Error('ListTasks throttled');
    await h.manager.start();
    expect(seen).toEqual(rebuilt);
    expect(ready).toEqual(listFails ? [] : [2]);
  });

  it('a start over 50 servers, then a round where every poll fails: 20 lines of a kind, the rest told in one line', async () => {
    const h = harness();
    for (let i = 0; i < 50; i++) h.backend.add({ status: 'running' });
    await h.manager.start();
    const count = (message: string) => h.lines.filter((l) => l.message === message).length;
    const heldBack = (about: string) => h.lines.filter((l) => l.message === 'log lines held back' && l.about === about);
    expect([count('server discovered'), count('server active')]).toEqual([20, 20]);
    expect(heldBack('server discovered')).toEqual([expect.objectContaining({ held: 30, written: 20, states: { pending: 30 } })]);
    expect(heldBack('server active')).toEqual([expect.objectContaining({ level: 'info', held: 30 })]);
    for (const s of h.backend.live()) h.prober.server(s.host as string).failure = 'health poll failed: ECONNREFUSED';
    await h.manager.runPolls();
    expect(count('poll failed')).toBe(20);
    expect(heldBack('poll failed')).toEqual([expect.objectContaining({ level: 'warn', held: 30, errors: { 'health poll failed: ECONNREFUSED': 30 } })]);
  });

  it('launches are decisions: every server launched is written, however many at once', async () => {
    const h = harness({ scaling: { upscaleMargin: 300, downscaleMargin: 400, maxServers: 30, maxLaunchPerTick: 30 } });
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([30]);
    expect(h.lines.filter((l) => l.message === 'server pending')).toHaveLength(30);
  });

  it('a launched server that never answers is stopped after START_TIMEOUT and replaced', async () => {
    const h = harness();
    await h.manager.runTick();
    const stuck = h.backend.live()[0]!;
    h.prober.server(stuck.host as string).failure = 'health poll failed: ECONNREFUSED';
    await h.manager.runPolls();
    h.clock.advance(180_000);
    await h.manager.runTick();
    expect(h.backend.stops).toEqual([]);
    h.clock.advance(1);
    await h.manager.runTick();
    await h.manager.settle();
    expect(h.backend.stops).toEqual([{ id: stuck.id, reason: 'start timeout: not healthy after 180000 ms' }]);
    expect(h.backend.launches).toEqual([1, 1]);
  });

  it('a failed poll takes a server out of rotation at once', async () => {
    const h = harness();
    await h.manager.runTick();
    await h.manager.runPolls();
    const server = h.backend.live()[0]!;
    h.prober.server(server.host as string).failure = 'health poll timed out';
    await h.manager.runPolls();
    expect(h.manager.allocate()).toMatchObject({ kind: 'backup' });
    expect(h.manager.rotation()).toEqual([]);
    h.prober.server(server.host as string).failure = null;
    await h.manager.runPolls();
    expect(h.manager.allocate()).toMatchObject({ kind: 'server', server: { id: server.id } });
  });

  it('the third failed poll wakes a tick that stops the dead server and launches its replacement', async () => {
    const h = harness();
    await h.manager.runTick();
    await h.manager.runPolls();
    const dead = h.backend.live()[0]!;
    h.prober.server(dead.host as string).failure = 'health poll failed: ECONNREFUSED';
    await h.manager.runPolls();
    await h.manager.runPolls();
    expect(h.backend.stops).toEqual([]);
    await h.manager.runPolls();
    expect(h.states()[dead.id]).toBe('unhealthy');
    // No runTick() here: the poll round itself wakes the reconcile loop.
    await vi.waitFor(() => expect(h.backend.stops).toEqual([{ id: dead.id, reason: 'unhealthy: health poll failed: ECONNREFUSED' }]));
    await vi.waitFor(() => expect(h.backend.launches).toEqual([1, 1]));
    await h.manager.runTick();
    await h.manager.runPolls();
    expect(Object.values(h.states())).toEqual(['active']);
    expect(h.manager.status().free).toBe(10);
  });

  it('a launch that throws is counted and logged, and the tick does not throw', async () => {
    const h = harness();
    h.backend.launchError = new Error('ECS RunTask throttled');
    await expect(h.manager.runTick()).resolves.toBeUndefined();
    expect(await h.counter('arbiter_backend_errors_total')).toMatchObject([{ labels: { operation: 'launch' }, value: 1 }]);
    await vi.waitFor(() => expect(h.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'launch failed', count: 1, error: 'ECS RunTask throttled' })));
  });

  it('launch failures the backend reports are counted by reason and logged', async () => {
    const h = harness({ scaling: { upscaleMargin: 15, downscaleMargin: 30 } });
    h.backend.failLaunches = [{ reason: 'RESOURCE:MEMORY', detail: 'no room on the cluster' }];
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([2]);
    expect(h.manager.servers()).toHaveLength(1);
    expect(await h.counter('arbiter_launch_failures_total')).toMatchObject([{ labels: { reason: 'RESOURCE:MEMORY' }, value: 1 }]);
    await vi.waitFor(() => expect(h.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'launch failed', reason: 'RESOURCE:MEMORY' })));
  });

  it('decides nothing on a tick whose observation failed', async () => {
    const h = harness();
    h.backend.listError = new Error('ListTasks throttled');
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([]);
    expect(await h.counter('arbiter_ticks_total')).toMatchObject([{ labels: { result: 'incomplete' }, value: 1 }]);
    await vi.waitFor(() =>
      expect(h.lines).toContainEqual(expect.objectContaining({ message: 'observation incomplete; not scaling this tick', error: 'ListTasks throttled' })),
    );
    h.backend.listError = null;
    await h.manager.runTick();
    expect(h.backend.launches).toEqual([1]);
  });

  it('counts a poll round that fails as a whole as a poll error, not a tick error, and polls again', async () => {
    const h = harness();
    await h.manager.runTick();
    const probe = vi.spyOn(h.prober, 'probe').mockRejectedValueOnce(new Error('prober broke'));
    await h.manager.runPolls();
    expect(await h.counter('arbiter_health_polls_total')).toEqual([expect.objectContaining({ labels: { result: 'error' }, value: 1 })]);
    expect(await h.counter('arbiter_ticks_total')).toEqual([expect.objectContaining({ labels: { result: 'ok' }, value: 1 })]);
    expect(h.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'loop failed', loop: 'poll', error: 'prober broke' }));
    probe.mockRestore();
    await h.manager.runPolls();
    expect(Object.values(h.states())).toEqual(['active']);
  });

  it('close is idempotent and clears every timer', async () => {
    // Timers only: the logger's stream hands lines on with setImmediate, which is not the manager's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const h = harness({ scaling: { sleepMs: 50 }, health: { pollIntervalMs: 50 } });
      await h.manager.start();
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      const closing = h.manager.close();
      expect(h.manager.close()).toBe(closing);
      await closing;
      expect(vi.getTimerCount()).toBe(0);
      const lists = h.backend.listCalls;
      await vi.advanceTimersByTimeAsync(1_000);
      expect(h.backend.listCalls).toBe(lists);
    } finally {
      vi.useRealTimers();
    }
  });
});
