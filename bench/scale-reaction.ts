// How fast the fleet reacts to demand: from the moment free capacity drops below UPSCALE_MARGIN (by allocations,
// or by sessions that a poll reports) to the new task's RunTask having returned, and to it being in rotation.
// The simulator (throttling on) and a real Manager over EcsBackend, SLEEP_TIME 10 s as in the seed's .env.
// Baseline, measured in the same run: one launch through a second EcsBackend (RunTask + its address), the floor of
// any reaction; ratios say how much of the reaction is the manager noticing and deciding.
import { createSilentLogger } from '../src/shared/log.js';
import { systemClock } from '../src/shared/clock.js';
import { createManager } from '../src/manager/create-manager.js';
import { HttpProber } from '../src/manager/prober.js';
import { startSim } from '../sim/index.js';
import { createSimClients } from '../sim/sdk-clients.js';
import { makeManagerConfig } from '../test/support/factories.js';
import { waitFor } from '../test/support/wait.js';
import { median, row, type Benchmark } from './harness.js';
import { simBackend, stopSim } from './sim-helpers.js';

const LAUNCH_LATENCY_MS = 300;
const POLL_MS = 500;
const SLEEP_MS = 10_000;
const UP = 4;
const CAPACITY = 10;
const TRIALS = 5;
const WATCH_MS = 5;

type Trigger = 'allocations' | 'sessions';

interface Trial {
  launchedMs: number;
  inRotationMs: number;
}

export const scaleReaction: Benchmark = {
  name: 'scale-reaction',
  title: 'time from free capacity below UPSCALE_MARGIN to a new server launched and in rotation',
  async run(ctx) {
    const sim = await startSim({ port: 0, launchLatencyMs: LAUNCH_LATENCY_MS, stopLatencyMs: 200, throttling: true, defaultCapacity: CAPACITY }, createSilentLogger());
    const clients = createSimClients(sim, 3);
    const logger = createSilentLogger();
    const backend = simBackend(clients, 'bench-react', logger);
    const floorBackend = simBackend(clients, 'bench-floor', logger);
    const prober = new HttpProber({ timeoutMs: 400 });
    const config = makeManagerConfig({
      // DOWNSCALE far away: every trial adds capacity, and nothing is put on standby between trials.
      scaling: { upscaleMargin: UP, downscaleMargin: 10_000, capacity: CAPACITY, minServers: 2, maxServers: 2 + 2 * TRIALS + 2, sleepMs: SLEEP_MS, reservationTtlMs: 120_000 },
      health: { pollIntervalMs: POLL_MS, timeoutMs: 400, failThreshold: 3, startTimeoutMs: 30_000 },
      backup: null,
    });
    const manager = createManager({ config, backend, prober, clock: systemClock, logger });
    const settled = () => manager.servers().every((s) => s.state === 'active' && s.inRotation);
    try {
      await manager.start();
      ctx.progress('scale-reaction: waiting for 2 active servers');
      await waitFor(() => manager.servers().length >= 2 && settled(), { timeoutMs: 30_000, what: 'two active servers' });

      const runTrial = async (trigger: Trigger): Promise<Trial> => {
        await waitFor(() => settled() && manager.status().free >= UP, { timeoutMs: 30_000, what: 'a settled fleet before the trial' });
        // Wait out the tick that followed the last launch, so that the next one is SLEEP_TIME away.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const before = new Set(manager.servers().map((s) => s.id));
        const take = manager.status().free - UP + 1;
        let t0: number;
        if (trigger === 'allocations') {
          for (let i = 0; i < take; i++) {
            if (manager.allocate().kind !== 'server') throw new Error('scale-reaction: an allocation found no room');
          }
          t0 = performance.now();
        } else {
          let left = take;
          for (const s of manager.servers()) {
            const task = sim.admin.task(s.id);
            const room = task.capacity - task.sessions;
            const add = Math.min(room, left);
            if (add > 0) sim.admin.setGameserver(s.id, { sessions: task.sessions + add });
            left -= add;
          }
          if (left > 0) throw new Error('scale-reaction: not enough room to fill');
          t0 = performance.now();
        }
        const marks: Partial<Trial> = {};
        await waitFor(
          () => {
            const fresh = manager.servers().filter((s) => !before.has(s.id));
            if (marks.launchedMs === undefined && fresh.length > 0) marks.launchedMs = performance.now() - t0;
            if (marks.inRotationMs === undefined && fresh.some((s) => s.inRotation)) marks.inRotationMs = performance.now() - t0;
            return marks.inRotationMs !== undefined;
          },
          { timeoutMs: SLEEP_MS * 2, intervalMs: WATCH_MS, what: `a launch after ${trigger}` },
        );
        return marks as Trial;
      };

      const results: Record<Trigger, Trial[]> = { allocations: [], sessions: [] };
      for (let i = 0; i < TRIALS; i++) {
        for (const trigger of ['allocations', 'sessions'] as const) {
          ctx.progress(`scale-reaction: trial ${i + 1}/${TRIALS}, ${trigger}`);
          results[trigger].push(await runTrial(trigger));
        }
      }

      ctx.progress('scale-reaction: floor (one launch call, no manager)');
      const floors: number[] = [];
      for (let i = 0; i < TRIALS; i++) {
        const t0 = performance.now();
        const outcome = await floorBackend.launch(1);
        floors.push(performance.now() - t0);
        for (const s of outcome.launched) await floorBackend.stop(s.id, 'benchmark floor');
      }
      const floor = median(floors);
      const m = (trigger: Trigger, key: keyof Trial) => median(results[trigger].map((t) => t[key]));
      const tickWait = `a scheduled tick alone would wait ${SLEEP_MS / 2_000} s on average (SLEEP_TIME ${SLEEP_MS / 1000} s); Agones' autoscaler 30 s, ECS service scaling ≥ 60 s`;
      return {
        setup: `simulator (launch ${LAUNCH_LATENCY_MS} ms, throttling on) + Manager over EcsBackend, UPSCALE_MARGIN ${UP}, capacity ${CAPACITY}, POLL_INTERVAL ${POLL_MS} ms, SLEEP_TIME ${SLEEP_MS / 1000} s; median of ${TRIALS} trials each`,
        rows: [
          row('allocations cross the margin → new server launched', 'ms', m('allocations', 'launchedMs'), floor, `÷ one launch call (RunTask + address); most of it is the ≤ 100 ms before the demand check. ${tickWait}`),
          row('allocations cross the margin → new server in rotation', 'ms', m('allocations', 'inRotationMs'), floor + LAUNCH_LATENCY_MS, 'baseline adds the simulated start latency'),
          row('sessions reported → new server launched', 'ms', m('sessions', 'launchedMs'), floor + POLL_MS, '÷ one launch call + one POLL_INTERVAL (the poll that sees the sessions)'),
          row('sessions reported → new server in rotation', 'ms', m('sessions', 'inRotationMs'), floor + POLL_MS + LAUNCH_LATENCY_MS, 'baseline adds the simulated start latency'),
          row('floor: one launch call', 'ms', floor, null, 'RunTask through the client-side rate limits, and the new task described'),
        ],
        notes: [
          'allocations wake a demand check within 100 ms, poll rounds check at once; demand wakes are at most one per second',
          'a trial starts 1.5 s after the fleet settled, so the next scheduled tick is always seconds away',
        ],
      };
    } finally {
      await manager.close();
      await backend.close();
      await floorBackend.close();
      await prober.close();
      clients.destroy();
      await stopSim(sim);
    }
  },
};
