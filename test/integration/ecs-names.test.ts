// Server names over the real ECS SDK and the simulator: the name tag is written at RunTask, a restarted manager
// keeps every name, a replacement takes the name of the task it replaces, and a name two tasks carry is resolved
// (the older keeps it, the younger is renamed and retagged). The nginx config follows the names.
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderNginxStream } from '../../src/proxy/nginx.js';
import { DEFAULT_NAME_WORDS } from '../../src/proxy/names.js';
import { startSim, type Sim, type SimTaskView } from '../../sim/index.js';
import { makeSimManager, SimBackends, type SimManager } from './backend-contract-sim.js';

const FLEET = 'fleet-it';
let sim: Sim;
let backends: SimBackends;
const managers: SimManager[] = [];

beforeEach(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 60, stopLatencyMs: 30, throttling: false });
  backends = new SimBackends(sim);
});

afterEach(async () => {
  await Promise.allSettled(managers.splice(0).map((m) => m.close()));
  await backends.close();
  await sim.close();
});

function manage(minServers: number): SimManager {
  const m = makeSimManager(backends, { scaling: { minServers, maxServers: 6, upscaleMargin: 0, downscaleMargin: 100 } });
  managers.push(m);
  return m;
}

const live = (): SimTaskView[] => sim.admin.tasks().filter((t) => t.startedBy === FLEET && t.desiredStatus === 'RUNNING');
const tagNames = (): string[] => live().map((t) => t.tags['arbiter:name'] ?? '').sort();
const names = (m: SimManager): string[] => m.manager.servers().filter((s) => s.state !== 'stopping').map((s) => s.name).sort();
const allActive = (m: SimManager, n: number) => m.manager.servers().length === n && m.manager.servers().every((s) => s.state === 'active');
const book = { prefix: 'arbiter', words: DEFAULT_NAME_WORDS };

describe('server names in ECS', () => {
  it('are tagged at launch, kept by a restarted manager, and given to a replacement', async () => {
    const first = manage(3);
    await first.until(() => allActive(first, 3), 'three active servers');
    expect(tagNames()).toEqual(['arbiter-alpha', 'arbiter-bravo', 'arbiter-charlie']);
    expect(names(first)).toEqual(tagNames());
    const byId = new Map(first.manager.servers().map((s) => [s.id, s.name]));
    await first.close();

    sim.admin.resetCounters();
    const second = manage(3);
    await second.until(() => allActive(second, 3), 'fleet rebuilt');
    for (const s of second.manager.servers()) expect(s.name).toBe(byId.get(s.id));
    expect(sim.admin.calls().calls['TagResource'] ?? 0).toBe(0);

    // bravo's task dies: its replacement is named bravo again, and the proxy keeps bravo's port
    const bravo = second.manager.servers().find((s) => s.name === 'arbiter-bravo')!;
    const portBefore = renderNginxStream(second.manager.servers(), { book, basePort: 4000, listenHost: '127.0.0.1' }).routes.find((r) => r.name === 'arbiter-bravo')!;
    sim.admin.kill(bravo.id);
    await second.until(() => allActive(second, 3) && !second.manager.server(bravo.id), 'bravo replaced');
    const replacement = second.manager.servers().find((s) => s.name === 'arbiter-bravo')!;
    expect(replacement.id).not.toBe(bravo.id);
    expect(tagNames()).toEqual(['arbiter-alpha', 'arbiter-bravo', 'arbiter-charlie']);
    const portAfter = renderNginxStream(second.manager.servers(), { book, basePort: 4000, listenHost: '127.0.0.1' }).routes.find((r) => r.name === 'arbiter-bravo')!;
    expect(portAfter.port).toBe(portBefore.port);
    expect(portAfter.target).toBe(replacement.address);
    expect(portAfter.target).not.toBe(portBefore.target);
  });

  it('two tasks tagged with one name: the older keeps it, the younger is renamed and retagged, the next manager agrees', async () => {
    const first = manage(2);
    await first.until(() => allActive(first, 2), 'two active servers');
    // the order the manager ranks them in: launched first, then the lower id
    const [older, younger] = first.manager
      .servers()
      .map((s) => ({ arn: s.id, name: s.name, at: Date.parse(s.launchedAt) }))
      .sort((a, b) => a.at - b.at || (a.arn < b.arn ? -1 : 1));
    await first.close();
    // an operator (or a second manager) tags the younger task with the older one's name
    await backends.clients.ecs.send(new TagResourceCommand({ resourceArn: younger!.arn, tags: [{ key: 'arbiter:name', value: older!.name }] }));

    const second = manage(2);
    await second.until(() => allActive(second, 2), 'fleet rebuilt');
    expect(second.manager.server(older!.arn)!.name).toBe(older!.name);
    expect(second.manager.server(younger!.arn)!.name).toBe(younger!.name);
    expect(second.manager.server(younger!.arn)!.nameNote).toBe(`renamed from ${older!.name}: ${older!.arn} holds that name (launched first)`);
    const collisions = await second.manager.metrics.registry.getSingleMetric('arbiter_name_collisions_total')!.get();
    expect(collisions.values[0]!.value).toBe(1);
    await second.until(() => sim.admin.task(younger!.arn).tags['arbiter:name'] === younger!.name, 'younger retagged');
    await second.close();

    const third = manage(2);
    await third.until(() => allActive(third, 2), 'fleet rebuilt again');
    expect(names(third)).toEqual(['arbiter-alpha', 'arbiter-bravo']);
    expect((await third.manager.metrics.registry.getSingleMetric('arbiter_name_collisions_total')!.get()).values[0]!.value).toBe(0);
  });
});
