// What an operator sees of demand: the scaling decision's log line names the demand terms it used, and /metrics has
// the waiting gauge, the wait histogram, the rate and latency estimates and the headroom by source.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { waitFor } from '../support/wait.js';
import { HEARTBEAT_TOKEN, makeSecurity } from './api-fakes.js';
import { captureLogger } from './capture-logger.js';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function setup() {
  const clock = new ManualClock();
  const backend = new FakeBackend({ clock, launchStatus: 'running' });
  const prober = new FakeProber({ capacity: 2 });
  backend.add({ status: 'running' });
  const config = makeManagerConfig({
    scaling: { capacity: 2, maxServers: 10, upscaleMargin: 0, downscaleMargin: 100, minServers: 0, mode: 'demand' },
    backup: { host: '127.0.0.1', port: 8888 },
  });
  const capture = captureLogger({ level: 'info' });
  const manager = createManager({ config, backend, prober, clock, logger: capture.logger });
  managers.push(manager);
  await manager.runTick();
  await manager.runPolls();
  const app = createApp({ manager, logger: createSilentLogger(), security: makeSecurity({ heartbeatToken: HEARTBEAT_TOKEN }), registry: manager.metrics.registry });
  const decisions = () =>
    capture
      .lines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.message === 'scaling decision');
  return { app, manager, backend, clock, decisions };
}

const metric = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('demand, seen', () => {
  it('the decision line names waiting, signal and in-flight seats and the rate, latency and join share behind them', async () => {
    const { app, manager, clock, decisions } = await setup();
    await request(app).get('/available-server/').expect(200);
    await request(app).get('/available-server/').expect(200);
    const waiting = request(app).get('/available-server/?wait=10&session=w1').then((r) => r);
    await waitFor(() => manager.demandView().waiting === 1, { timeoutMs: 5_000 });
    await manager.runTick();
    const launch = decisions().find((d) => d.kind === 'launch');
    expect(launch).toMatchObject({ count: 1, waiting: 1, signalSeats: 0, headroom: 1, mode: 'demand', joinShare: 0, inFlight: 0, launchLatencyS: 0 });
    expect(Number(launch?.arrivalRate)).toBeGreaterThan(0);
    // The launched server enters rotation 4 s later: one launch latency measured, the waiting request served.
    clock.advance(4_000);
    await manager.runTick();
    await manager.runPolls();
    expect((await waiting).body.backup).toBe(false);

    await request(app).post('/api/demand').set('authorization', `Bearer ${HEARTBEAT_TOKEN}`).send({ source: 'arena', seats: 3, ttl: 30 }).expect(200);
    const text = await manager.metrics.registry.metrics();
    expect(metric(text, 'arbiter_waiting_allocations')).toBe(0);
    expect(text).toMatch(/arbiter_allocation_wait_seconds_count\{result="server"\} 1/);
    expect(metric(text, 'arbiter_allocation_arrival_rate')).toBeGreaterThan(0);
    expect(metric(text, 'arbiter_launch_latency_seconds')).toBe(4);
    expect(text).toMatch(/arbiter_headroom_seats\{source="signal:arena"\} 3/);
    expect(text).toMatch(/arbiter_headroom_seats\{source="waiting"\} 0/);
    expect(text).toMatch(/arbiter_headroom_seats\{source="in_flight"\} \d+/);
  });
});
