// EcsBackend.list() over thousands of tasks in the simulator, against the raw SDK calls it has to make
// (ListTasks pages for RUNNING and STOPPED, DescribeTasks in chunks of 100 with tags), done directly.
import { DescribeTasksCommand, ListTasksCommand, type DesiredStatus } from '@aws-sdk/client-ecs';
import { createSilentLogger } from '../src/shared/log.js';
import { startSim } from '../sim/index.js';
import { createSimClients, type SimClients } from '../sim/sdk-clients.js';
import { waitFor } from '../test/support/wait.js';
import { median, row, type Benchmark } from './harness.js';
import { simBackend, stopSim } from './sim-helpers.js';

const TASKS = 2_000;
const ROUNDS = 7;
const FLEET = 'bench-list';
const UNLIMITED = { burst: 1_000_000, perSecond: 1_000_000 };

async function rawList(clients: SimClients): Promise<number> {
  const arns: string[] = [];
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as DesiredStatus[]) {
    let nextToken: string | undefined;
    do {
      const page = await clients.ecs.send(new ListTasksCommand({ cluster: 'default', startedBy: FLEET, desiredStatus, maxResults: 100, nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  let described = 0;
  for (let i = 0; i < arns.length; i += 100) {
    const res = await clients.ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: arns.slice(i, i + 100), include: ['TAGS'] }));
    described += res.tasks?.length ?? 0;
  }
  return described;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export const ecsList: Benchmark = {
  name: 'ecs-list',
  title: 'EcsBackend.list() over 2,000 simulated tasks vs the raw ListTasks + DescribeTasks calls',
  async run(ctx) {
    const sim = await startSim({ port: 0, launchLatencyMs: 100, stopLatencyMs: 10, throttling: false }, createSilentLogger());
    const clients = createSimClients(sim);
    const logger = createSilentLogger();
    const make = (rates?: typeof UNLIMITED) => simBackend(clients, FLEET, logger, rates ? { rates: { read: rates, ec2: rates, modify: rates, tag: rates } } : {});
    const unlimited = make(UNLIMITED);
    const limited = make();
    try {
      ctx.progress(`ecs-list: starting ${TASKS} tasks in the simulator`);
      for (let left = TASKS; left > 0; left -= 1000) sim.admin.createTasks({ startedBy: FLEET, count: Math.min(1000, left) });
      await waitFor(() => sim.admin.tasks().every((t) => t.lastStatus === 'RUNNING'), { timeoutMs: 30_000, what: 'tasks RUNNING' });

      // The first list() also resolves every public address (DescribeNetworkInterfaces); later ones use the cache.
      const cold = await timed(() => unlimited.list());
      if (cold.value.length !== TASKS) throw new Error(`ecs-list: list() returned ${cold.value.length} of ${TASKS} tasks`);
      const coldRaw = await timed(() => rawList(clients));

      ctx.progress('ecs-list: measuring');
      const ours: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        ours.push((await timed(() => unlimited.list())).ms);
        const r = await timed(() => rawList(clients));
        if (r.value !== TASKS) throw new Error(`ecs-list: raw calls described ${r.value} of ${TASKS} tasks`);
        raw.push(r.ms);
      }

      // With the client-side read bucket of the ECS docs (burst 100, 20 a second) back in place.
      ctx.progress('ecs-list: default rate limits');
      const calls = 2 * Math.ceil(TASKS / 100) + 1;
      const limitedTimes: number[] = [];
      for (let i = 0; i < 4; i++) limitedTimes.push((await timed(() => limited.list())).ms);
      const steady = limitedTimes[limitedTimes.length - 1] as number;
      const oursMs = median(ours);
      const rawMs = median(raw);
      return {
        setup: `${TASKS.toLocaleString('en-US')} RUNNING awsvpc tasks in the simulator (throttling off), ${calls} ECS read calls per listing, median of ${ROUNDS} alternating rounds; client-side rate limits lifted unless said`,
        rows: [
          row('list() warm', 'ms', oursMs, rawMs, 'ours ÷ the raw calls: the cost of mapping, filtering and the limiter'),
          row('list() cold (first, resolves addresses)', 'ms', cold.ms, coldRaw.ms, 'first listing also asks EC2 for every public IP'),
          row('list() with default read limits, 4th in a row', 'ms', steady, rawMs, 'the bucket (100 burst, 20/s) paces back-to-back listings'),
          row('tasks listed per second (warm)', '/s', TASKS / (oursMs / 1000), TASKS / (rawMs / 1000), 'throughput of a full resync', (TASKS / oursMs) / (TASKS / rawMs)),
        ],
        notes: [
          `a listing of ${TASKS} tasks takes ${calls} read tokens; at 20 tokens/s a full resync costs ${(calls / 20).toFixed(1)} s of the account's shared read budget`,
          `default-limit listings in a row: ${limitedTimes.map((t) => t.toFixed(0)).join(', ')} ms`,
        ],
      };
    } finally {
      await unlimited.close();
      await limited.close();
      clients.destroy();
      await stopSim(sim);
    }
  },
};
