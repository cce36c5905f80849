// The detection targets of the reliability issue, measured in real time with the defaults
// (POLL_INTERVAL 2 s, FAIL_THRESHOLD 3, HEALTH_TIMEOUT_MS 1500): a dead gameserver leaves rotation
// with its first failed poll, is unhealthy ≤ 6 s after it died, and its replacement is launched in
// the tick that the unhealthy verdict wakes (not SLEEP_TIME later).
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/shared/clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { HttpProber } from '../../src/manager/prober.js';
import type { LaunchResult } from '../../src/manager/backend.js';
import { createCaptureLogger } from '../chaos/support/capture-logger.js';
import { FakeBackend, makeManagerConfig } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

/** A gameserver's health endpoint on 127.0.0.1 that can die like a crashed process. */
async function startGameserver(): Promise<{ port: number; polls: () => number; kill: () => Promise<void> }> {
  let polls = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    polls += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ available_capacity: 10, ready_to_close: false }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const kill = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  return { port, polls: () => polls, kill };
}

/** Launches land on a second live gameserver, so the replacement is real and on loopback. */
class LoopbackBackend extends FakeBackend {
  constructor(private readonly replacementPort: number) {
    super({ clock: systemClock });
  }

  override async launch(count: number): Promise<LaunchResult> {
    this.launches.push(count);
    const launched = Array.from({ length: count }, () =>
      this.add({ status: 'starting', host: '127.0.0.1', ports: { game: this.replacementPort, web: this.replacementPort, health: this.replacementPort } }),
    );
    return { launched: launched.map((s) => ({ ...s })), failures: [] };
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Timer resolution and event-loop lag on a busy two-core CI runner. */
const SLACK_MS = 300;

describe('detection targets with the default intervals', () => {
  it('out of rotation with the first failed poll, unhealthy ≤ 6 s after death, replaced in that tick', async () => {
    const victim = await startGameserver();
    const replacement = await startGameserver();
    cleanups.push(replacement.kill, victim.kill);
    const capture = createCaptureLogger();
    const config = makeManagerConfig({
      scaling: { minServers: 1, sleepMs: 10_000 },
      health: { pollIntervalMs: 2_000, failThreshold: 3, timeoutMs: 1_500 },
    });
    const backend = new LoopbackBackend(replacement.port);
    const dead = backend.add({ status: 'running', host: '127.0.0.1', ports: { game: victim.port, web: victim.port, health: victim.port } });
    const prober = new HttpProber({ timeoutMs: config.health.timeoutMs });
    const manager = createManager({ config, backend, prober, clock: systemClock, logger: capture.logger });
    cleanups.push(() => prober.close(), () => manager.close());
    await manager.start();
    expect(manager.server(dead.id)?.state).toBe('active');

    // Worst phase: die right after a good poll, so the next one is a full interval away.
    const seen = victim.polls();
    await waitFor(() => victim.polls() > seen, { timeoutMs: 5_000, intervalMs: 2, what: 'a poll of the victim' });
    await victim.kill();
    const diedAt = Date.now();

    // Allocate all along: the dead server must never be handed out once a poll has failed.
    const handedAt: number[] = [];
    const allocating = setInterval(() => {
      const a = manager.allocate();
      if (a.kind === 'server' && a.server.id === dead.id) handedAt.push(Date.now());
    }, 5);
    cleanups.push(async () => clearInterval(allocating));

    const unhealthy = await waitFor(() => capture.find('server unhealthy', dead.id)[0], { timeoutMs: 10_000, intervalMs: 10, what: 'unhealthy' });
    const launch = await waitFor(
      () => capture.events.find((e) => e.message === 'scaling decision' && e.fields.kind === 'launch' && e.at >= unhealthy.at),
      { timeoutMs: 3_000, intervalMs: 10, what: 'a launch decision' },
    );
    clearInterval(allocating);
    const firstFailure = capture.find('poll failed', dead.id)[0];
    const outOfRotation = capture.find('server out of rotation', dead.id)[0];
    expect(firstFailure && outOfRotation).toBeTruthy();

    // Out of rotation with the first failed poll (≤ 1 interval after it; here at once).
    expect(outOfRotation!.at - firstFailure!.at).toBeLessThanOrEqual(config.health.pollIntervalMs);
    expect(outOfRotation!.at - diedAt).toBeLessThanOrEqual(config.health.pollIntervalMs + SLACK_MS);
    expect(handedAt.filter((t) => t >= outOfRotation!.at)).toEqual([]);
    // Unhealthy: three strikes at 2 s intervals, the first ≤ 2 s after death.
    expect(unhealthy.at - diedAt).toBeLessThanOrEqual(6_000 + SLACK_MS);
    // The tick the verdict woke launched the replacement, long before SLEEP_TIME (10 s) would have.
    expect(launch.at - unhealthy.at).toBeLessThan(1_000);
    expect(capture.events.some((e) => e.message === 'server stopping' && e.fields.serverId === dead.id)).toBe(true);
    await waitFor(() => manager.servers().some((s) => s.id !== dead.id && s.state === 'active'), { timeoutMs: 5_000, what: 'replacement active' });
  }, 20_000);
});
