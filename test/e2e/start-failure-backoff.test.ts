// A gameserver command that exits at once is not relaunched every tick: launches back off exponentially.
import { afterAll, expect, it } from 'vitest';
import { startLocalManager } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

afterAll(async () => {
  await stopAll();
}, 30_000);

it('backs launches off when servers die before they become healthy (LOCAL_GAMESERVER_COMMAND=exit 3)', async () => {
  const { proc, base } = await startLocalManager({
    LOCAL_GAMESERVER_COMMAND: 'exit 3',
    MIN_SERVERS: '1',
    SLEEP_TIME: '0.3',
    POLL_INTERVAL: '0.2',
    HEALTH_TIMEOUT_MS: '150',
    LOG_LEVEL: 'info',
  });
  const died = () => proc.events().filter((e) => e['message'] === 'server died before it became healthy; launches back off');
  await waitFor(() => died().length >= 3, { what: 'three start failures', timeoutMs: 25_000 });
  const delays = died().slice(0, 3).map((e) => Number(e['backoffMs']));
  // Equal jitter over a 2 s base: at least 1 s, 2 s, 4 s, and each failure in a row waits longer than half the next.
  delays.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(1000 * 2 ** i));
  expect(died().map((e) => e['failuresInARow']).slice(0, 3)).toEqual([1, 2, 3]);
  // Each launch waited for its back-off: no more launches than failures plus the one under way.
  const launched = proc.events().filter((e) => e['message'] === 'server launched').length;
  expect(launched).toBeLessThanOrEqual(died().length + 1);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/^arbiter_start_failures_total [1-9]/m);
}, 40_000);
