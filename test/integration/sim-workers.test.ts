// SIM_WORKERS: the gameserver listeners live in worker processes; they answer like in-process ones,
// follow the admin API, and go when the simulator closes.
import { describe, expect, it } from 'vitest';
import { startSim } from '../../sim/index.js';
import { SimOptionsError, resolveSimOptions } from '../../sim/options.js';
import { connectionRefused as refused, waitFor } from '../support/wait.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('simulator with gameserver workers', () => {
  it('serves each task from a worker process, follows admin patches and sessions, and stops the workers on close', async () => {
    const sim = await startSim({ launchLatencyMs: 10, throttling: false, workers: 2 });
    const pids = sim.workerPids();
    try {
      expect(pids).toHaveLength(2);
      expect(pids.every(alive)).toBe(true);
      expect(pids).not.toContain(process.pid);
      sim.admin.createTasks({ startedBy: 'workers-test', count: 4 });
      const running = await waitFor(() => {
        const tasks = sim.admin.tasks().filter((t) => t.lastStatus === 'RUNNING');
        return tasks.length === 4 ? tasks : null;
      }, { what: 'four running tasks' });
      for (const t of running) {
        const res = await fetch(`http://${t.address}:${t.ports.web}/health/`);
        expect(await res.json()).toMatchObject({ available_capacity: 10, max_capacity: 10 });
      }
      const [first] = running;
      if (!first) throw new Error('no task');
      // The admin API's change reaches the worker; a session set up on the gameserver reaches the admin view.
      sim.admin.setGameserver(first.id, { capacity: 3 });
      await waitFor(async () => ((await (await fetch(`http://${first.address}:${first.ports.web}/health/`)).json()) as { max_capacity: number }).max_capacity === 3, { what: 'patched capacity' });
      expect((await fetch(`http://${first.address}:${first.ports.web}/setup`, { method: 'POST' })).status).toBe(200);
      await waitFor(() => sim.admin.task(first.id).sessions === 1, { what: 'session seen by the admin view' });
      // A stopped task's listener closes in its worker.
      sim.admin.kill(first.id);
      await waitFor(async () => refused(first.address as string, first.ports.web as number), { what: 'killed task refused' });
      await sim.close();
      expect(pids.some(alive)).toBe(false);
      for (const t of running) expect(await refused(t.address as string, t.ports.web as number)).toBe(true);
    } finally {
      await sim.close();
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });

  it('refuses a worker count out of range', () => {
    expect(() => resolveSimOptions({ workers: 65 })).toThrow(SimOptionsError);
    expect(() => resolveSimOptions({ workers: -1 })).toThrow(/workers/);
  });
});
