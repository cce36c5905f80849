// The allocator's memory between polls (§3.3): a slot stays taken until a report shows its session,
// or until the join grace has passed; a report that shows the session frees it from double counting.
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';

async function oneServer(capacity: number) {
  const clock = new ManualClock(1_000_000);
  const backend = new FakeBackend({ clock });
  const server = backend.add({ host: '10.9.0.1' });
  const prober = new FakeProber({ capacity });
  const config = makeManagerConfig({
    scaling: { capacity, upscaleMargin: 0, downscaleMargin: 1_000, minServers: 1, maxServers: 1, reservationTtlMs: 30_000, joinGraceMs: 5_000 },
  });
  const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
  await manager.start();
  const effective = () => manager.servers()[0]?.capacity.effective;
  return { clock, prober, manager, server, effective };
}

describe('join grace and absorption', () => {
  it('a poll that does not show the new session yet does not free its slot', async () => {
    const { clock, manager, effective } = await oneServer(2);
    try {
      expect(manager.allocate().kind).toBe('server');
      expect(effective()).toBe(1);
      clock.advance(1_000); // the client has not joined; the next poll still says 2 free
      await manager.runPolls();
      expect(effective()).toBe(1);
      expect(manager.allocate().kind).toBe('server');
      // Without the grace the first slot would be offered again: a third allocation would succeed.
      expect(manager.allocate().kind).toBe('backup');
    } finally {
      await manager.close();
    }
  });

  it('a poll that shows the session absorbs the reservation: no double counting', async () => {
    const { clock, prober, manager, server, effective } = await oneServer(3);
    try {
      expect(manager.allocate().kind).toBe('server');
      prober.server(server.host as string).sessions = 1; // the client joined
      clock.advance(500);
      await manager.runPolls();
      expect(effective()).toBe(2);
    } finally {
      await manager.close();
    }
  });

  it('a reservation nobody used stops counting once a poll sent after the grace shows no session', async () => {
    const { clock, manager, effective } = await oneServer(3);
    try {
      expect(manager.allocate().kind).toBe('server');
      clock.advance(5_001);
      await manager.runPolls();
      expect(effective()).toBe(3);
    } finally {
      await manager.close();
    }
  });
});

describe('no-room logging', () => {
  it('logs a rush of allocations with no room once per interval, with the count it left out', async () => {
    const { createCapturingLogger } = await import('../support/factories.js');
    const { logger, lines } = createCapturingLogger();
    const clock = new ManualClock(1_000_000);
    const manager = createManager({ config: makeManagerConfig(), backend: new FakeBackend({ clock }), prober: new FakeProber(), clock, logger });
    try {
      for (let i = 0; i < 50; i += 1) expect(manager.allocate().kind).toBe('backup');
      clock.advance(5_000);
      expect(manager.allocate().kind).toBe('backup');
      await new Promise((r) => setTimeout(r, 50));
      const noRoom = lines.filter((l) => l.message === 'no server with room');
      expect(noRoom).toHaveLength(2);
      expect(noRoom[1]?.alsoSinceLastLine).toBe(49);
    } finally {
      await manager.close();
    }
  });
});
