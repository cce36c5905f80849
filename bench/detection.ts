// How fast a dead gameserver leaves rotation and is replaced: the simulator (throttling on) and a real
// Manager over EcsBackend with real HTTP health polls. Baseline: FAIL_THRESHOLD × POLL_INTERVAL.
import { createSilentLogger } from '../src/shared/log.js';
import { systemClock } from '../src/shared/clock.js';
import { createManager } from '../src/manager/create-manager.js';
import { HttpProber } from '../src/manager/prober.js';
import { startSim } from '../sim/index.js';
import { createSimClients } from '../sim/sdk-clients.js';
import { makeManagerConfig } from '../test/support/factories.js';
import { waitFor } from '../test/support/wait.js';
import { median, row, type BenchRow, type Benchmark } from './harness.js';
import { simBackend, stopSim } from './sim-helpers.js';

const POLL_MS = 500;
const FAIL_THRESHOLD = 3;
const TRIALS = 4;
const SERVERS = 3;
const DEFAULT_POLL_MS = 2_000;
const WATCH_MS = 5;

interface Trial {
  outOfRotationMs: number;
  unhealthyMs: number;
  replacementLaunchedMs: number;
  replacementActiveMs: number;
}

type Fault = 'down' | 'kill';

export const detection: Benchmark = {
  name: 'detection',
  title: 'time from a dead gameserver to out-of-rotation, unhealthy and replacement',
  async run(ctx) {
    const sim = await startSim({ port: 0, launchLatencyMs: 300, stopLatencyMs: 200, throttling: true }, createSilentLogger());
    const clients = createSimClients(sim, 3);
    const logger = createSilentLogger();
    const backend = simBackend(clients, 'bench-detect', logger);
    const prober = new HttpProber({ timeoutMs: 400 });
    const config = makeManagerConfig({
      scaling: { minServers: SERVERS, maxServers: SERVERS + 2, sleepMs: 2_000 },
      health: { pollIntervalMs: POLL_MS, failThreshold: FAIL_THRESHOLD, timeoutMs: 400, startTimeoutMs: 30_000 },
      backup: null,
    });
    const manager = createManager({ config, backend, prober, clock: systemClock, logger });
    const active = () => manager.servers().filter((s) => s.state === 'active' && s.inRotation);
    try {
      await manager.start();
      ctx.progress(`detection: waiting for ${SERVERS} active servers`);
      await waitFor(() => active().length === SERVERS, { timeoutMs: 30_000, what: `${SERVERS} active servers` });

      const runTrial = async (fault: Fault, phase: number): Promise<Trial> => {
        await waitFor(() => active().length === SERVERS, { timeoutMs: 30_000, what: 'a full fleet before the trial' });
        // The fleet becomes whole right after a poll; without an offset every fault would land at the
        // same point of the poll cycle. Offsets spread evenly over one interval sample it fairly.
        await new Promise((resolve) => setTimeout(resolve, phase * POLL_MS));
        const victim = active()[0];
        if (!victim) throw new Error('detection: no active server');
        const before = new Set(manager.servers().map((s) => s.id));
        const t0 = performance.now();
        if (fault === 'down') sim.admin.setGameserver(victim.id, { mode: 'down' });
        else sim.admin.kill(victim.id);
        const marks: Partial<Trial> = {};
        const since = () => performance.now() - t0;
        await waitFor(
          () => {
            const views = manager.servers();
            const v = views.find((s) => s.id === victim.id);
            if (marks.outOfRotationMs === undefined && (!v || !v.inRotation)) marks.outOfRotationMs = since();
            if (marks.unhealthyMs === undefined && (!v || v.state === 'unhealthy' || v.state === 'stopping')) marks.unhealthyMs = since();
            const fresh = views.filter((s) => !before.has(s.id));
            if (marks.replacementLaunchedMs === undefined && fresh.length > 0) marks.replacementLaunchedMs = since();
            if (marks.replacementActiveMs === undefined && fresh.some((s) => s.inRotation)) marks.replacementActiveMs = since();
            return marks.replacementActiveMs !== undefined && marks.unhealthyMs !== undefined;
          },
          { timeoutMs: 20_000, intervalMs: WATCH_MS, what: `replacement of a server after ${fault}` },
        );
        return marks as Trial;
      };

      const results: Record<Fault, Trial[]> = { down: [], kill: [] };
      for (let i = 0; i < TRIALS; i++) {
        for (const fault of ['down', 'kill'] as const) {
          ctx.progress(`detection: trial ${i + 1}/${TRIALS}, ${fault}`);
          results[fault].push(await runTrial(fault, (i + 0.5) / TRIALS));
        }
      }

      const bound = FAIL_THRESHOLD * POLL_MS;
      const scale = DEFAULT_POLL_MS / POLL_MS;
      const rows: BenchRow[] = [];
      for (const fault of ['down', 'kill'] as const) {
        const trials = results[fault];
        const label = fault === 'down' ? 'health port resets (mode down)' : 'task killed (sim kill)';
        const m = (key: keyof Trial) => median(trials.map((t) => t[key]));
        rows.push(
          row(`${label}: out of rotation`, 'ms', m('outOfRotationMs'), POLL_MS, `÷ one POLL_INTERVAL; at defaults ≈ ${((m('outOfRotationMs') * scale) / 1000).toFixed(1)} s`),
          row(
            `${label}: unhealthy or gone`,
            'ms',
            m('unhealthyMs'),
            bound,
            `÷ FAIL_THRESHOLD × POLL_INTERVAL; at defaults (3 × 2 s) ≈ ${((m('unhealthyMs') * scale) / 1000).toFixed(1)} s vs Agones 15–20 s, GameLift ~180 s`,
          ),
          row(`${label}: replacement launched`, 'ms', m('replacementLaunchedMs'), bound, 'RunTask returned and the new task is in the fleet'),
          row(`${label}: replacement in rotation`, 'ms', m('replacementActiveMs'), bound + 300, 'baseline adds the simulated launch latency (300 ms)'),
        );
      }
      return {
        setup: `simulator (launch 300 ms, throttling on) + Manager over EcsBackend, ${SERVERS} servers, POLL_INTERVAL ${POLL_MS} ms, FAIL_THRESHOLD ${FAIL_THRESHOLD}, HEALTH_TIMEOUT 400 ms, SLEEP_TIME 2 s; median of ${TRIALS} trials each, watched every ${WATCH_MS} ms`,
        rows,
        notes: [
          'faults are injected at evenly spread points of the poll cycle; the first failed poll then comes on average half an interval after the fault, so ratios below 1 are expected',
          'a killed task can also leave through the backend listing (STOPPED) before its third failed poll',
          `scaled figures multiply by ${scale} (defaults POLL_INTERVAL 2 s × FAIL_THRESHOLD 3 = 6 s bound)`,
        ],
      };
    } finally {
      await manager.close();
      await backend.close();
      await prober.close();
      clients.destroy();
      await stopSim(sim);
    }
  },
};
