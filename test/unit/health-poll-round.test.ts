// A poll round polls every server that can answer once, with at most POLL_CONCURRENCY polls in flight.
import { describe, expect, it } from 'vitest';
import { createManager } from '../../src/manager/create-manager.js';
import { createManagerMetrics } from '../../src/manager/metrics.js';
import type { ProbeResult } from '../../src/manager/prober.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ManualClock } from '../support/manual-clock.js';

/** A FakeProber whose answers take a few turns of the event loop, counting the polls in flight. */
class CountingProber extends FakeProber {
  inFlight = 0;
  maxInFlight = 0;

  override async probe(host: string, port: number): Promise<ProbeResult> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    this.inFlight -= 1;
    return super.probe(host, port);
  }
}

describe('a poll round', () => {
  it.each([
    { servers: 0, concurrency: 4 },
    { servers: 3, concurrency: 8 },
    { servers: 25, concurrency: 1 },
    { servers: 25, concurrency: 4 },
  ])('$servers servers, concurrency $concurrency: each polled once, never more in flight than allowed', async ({ servers, concurrency }) => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const prober = new CountingProber({ capacity: 10 });
    const manager = createManager({ config: makeManagerConfig({ health: { concurrency } }), backend, prober, clock, logger: createSilentLogger() });
    for (let i = 0; i < servers; i++) backend.add();
    await manager.start();
    prober.probes.length = 0;
    prober.maxInFlight = 0;
    await manager.runPolls();
    expect(prober.probes).toHaveLength(servers);
    expect(new Set(prober.probes.map((p) => p.host)).size).toBe(servers);
    expect(prober.maxInFlight).toBe(Math.min(servers, concurrency));
    await manager.close();
  });
});

/** A FakeProber whose own side fails for the hosts in `cannotAsk` (as the worker prober does when its thread stops). */
class HalfBrokenProber extends FakeProber {
  readonly cannotAsk = new Set<string>();

  override async probe(host: string, port: number): Promise<ProbeResult> {
    if (this.cannotAsk.has(host)) return { ok: false, error: 'poll worker stopped', inconclusive: true };
    return super.probe(host, port);
  }
}

describe('a poll the prober could not send', () => {
  it.each([
    { name: 'inconclusive: says nothing about the server', inconclusive: true, inRotation: true, failures: 0 },
    { name: 'a failed poll of the same server, for contrast', inconclusive: false, inRotation: false, failures: 1 },
  ])('$name', async ({ inconclusive, inRotation, failures }) => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const prober = new HalfBrokenProber({ capacity: 10 });
    const manager = createManager({ config: makeManagerConfig({ health: { failThreshold: 1 } }), backend, prober, clock, logger: createSilentLogger() });
    backend.add();
    await manager.start();
    const [server] = manager.servers();
    expect(server?.state).toBe('active');
    const host = server!.host as string;
    if (inconclusive) prober.cannotAsk.add(host);
    else prober.server(host).failure = 'health poll failed: ECONNREFUSED';
    await manager.runPolls();
    expect(manager.rotation().length > 0).toBe(inRotation);
    expect(manager.servers()[0]).toMatchObject({ failures });
    await manager.close();
  });
});

/** A FakeProber whose answers wait until `release()`: the poll's report is as old as the moment it was sent. */
class HeldProber extends FakeProber {
  private waiting: Array<() => void> = [];
  hold = false;

  override async probe(host: string, port: number): Promise<ProbeResult> {
    const answer = await super.probe(host, port);
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    return answer;
  }

  release(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

describe('sessions counted from reports', () => {
  it('a poll answered after a newer heartbeat is not taken, and its sessions are not counted as started', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const prober = new HeldProber({ capacity: 10 });
    const metrics = createManagerMetrics();
    const manager = createManager({ config: makeManagerConfig(), backend, prober, clock, logger: createSilentLogger(), metrics });
    backend.add();
    await manager.start();
    const server = manager.servers()[0]!;
    const host = server.host as string;
    const started = async () => (await metrics.sessionsStarted.get()).values[0]?.value ?? 0;

    prober.server(host).sessions = 4; // the poll sent now will say 4 sessions
    prober.hold = true;
    const round = manager.runPolls();
    clock.advance(1_000);
    expect(manager.heartbeat(server.id, { availableCapacity: 8, readyToClose: false, maxCapacity: 10, activeSessions: 2 })).toBe(true);
    expect(await started()).toBe(2);
    prober.release();
    await round;
    expect(manager.servers()[0]).toMatchObject({ activeSessions: 2 });
    expect(await started()).toBe(2);

    prober.hold = false;
    clock.advance(1_000);
    await manager.runPolls(); // a fresh poll is taken: 2 → 4
    expect(manager.servers()[0]).toMatchObject({ activeSessions: 4 });
    expect(await started()).toBe(4);
    await manager.close();
  });
});
