// What an alert author finds on the first scrape of a real manager: every failure counter already at 0, the session
// gauges, the build info and Node's own metrics, and sessions counted as servers report them.
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { registerProcessMetrics } from '../../src/process-metrics.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { makeSecurity } from './api-fakes.js';

const managers: Manager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function harness() {
  const clock = new ManualClock(1_000_000);
  const backend = new FakeBackend({ clock });
  const prober = new FakeProber({ capacity: 10 });
  const manager = createManager({ config: makeManagerConfig({ scaling: { minServers: 2, maxServers: 4 } }), backend, prober, clock, logger: createSilentLogger() });
  managers.push(manager);
  registerProcessMetrics(manager.metrics.registry, { version: '9.9.9' });
  const app = createApp({ manager, logger: createSilentLogger(), security: makeSecurity(), registry: manager.metrics.registry });
  const scrape = async () => (await request(app).get('/metrics').expect(200)).text;
  return { clock, backend, prober, manager, scrape };
}

/** The value of one series in Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics before anything went wrong', () => {
  it.each([
    { series: 'arbiter_launch_failures_total{reason="RESOURCE:MEMORY"}' },
    { series: 'arbiter_launch_failures_total{reason="spawn-error"}' },
    { series: 'arbiter_launch_failures_total{reason="MISSING"}' },
    { series: 'arbiter_backend_errors_total{operation="launch"}' },
    { series: 'arbiter_backend_errors_total{operation="stop"}' },
    { series: 'arbiter_backend_errors_total{operation="mark_standby"}' },
    { series: 'arbiter_backend_errors_total{operation="list"}' },
    { series: 'arbiter_backend_errors_total{operation="refresh"}' },
    { series: 'arbiter_backend_errors_total{operation="rename"}' },
    { series: 'arbiter_health_polls_total{result="failed"}' },
    { series: 'arbiter_health_polls_total{result="error"}' },
    { series: 'arbiter_health_polls_total{result="inconclusive"}' },
    { series: 'arbiter_ticks_total{result="error"}' },
    { series: 'arbiter_ticks_total{result="incomplete"}' },
    { series: 'arbiter_allocations_total{result="backup"}' },
    { series: 'arbiter_allocations_total{result="none"}' },
    { series: 'arbiter_start_failures_total' },
    { series: 'arbiter_name_collisions_total' },
    { series: 'arbiter_sessions_total' },
    { series: 'arbiter_sessions_active' },
  ])('has $series at 0', async ({ series }) => {
    const { scrape } = harness();
    expect(sample(await scrape(), series)).toBe(0);
  });

  it('has the build info and Node metrics with event-loop lag', async () => {
    const text = await harness().scrape();
    expect(sample(text, `arbiter_build_info{version="9.9.9",node="${process.versions.node}"}`)).toBe(1);
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'process_cpu_seconds_total']) expect(sample(text, name)).toBeGreaterThanOrEqual(0);
  });
});

describe('session metrics', () => {
  it('count sessions that begin and show the ones in play', async () => {
    const h = harness();
    await h.manager.runTick();
    await h.manager.runPolls();
    const hosts = [...h.backend.servers.values()].map((s) => s.host as string);
    expect(hosts.length).toBeGreaterThan(1);
    h.prober.server(hosts[0]!).sessions = 3;
    h.prober.server(hosts[1]!).sessions = 2;
    await h.manager.runPolls();
    let text = await h.scrape();
    expect(sample(text, 'arbiter_sessions_active')).toBe(5);
    expect(sample(text, 'arbiter_sessions_total')).toBe(5);
    // two end and one begins: active follows, the total only grows
    h.prober.server(hosts[0]!).sessions = 2;
    h.prober.server(hosts[1]!).sessions = 0;
    await h.manager.runPolls();
    h.prober.server(hosts[1]!).sessions = 1;
    await h.manager.runPolls();
    text = await h.scrape();
    expect(sample(text, 'arbiter_sessions_active')).toBe(3);
    expect(sample(text, 'arbiter_sessions_total')).toBe(6);
  });
});
