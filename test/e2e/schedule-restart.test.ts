// A manager started between two MIN_SERVERS_SCHEDULE rules holds the floor the earlier one set.
import { afterAll, expect, it } from 'vitest';
import { startLocalManager, serverStates } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

afterAll(async () => {
  await stopAll();
}, 30_000);

it('starts with the floor of the rule that fired last, not the bare MIN_SERVERS', async () => {
  const now = new Date();
  const earlier = new Date(now.getTime() - 2 * 60_000); // fired two minutes ago: 3 servers
  const later = new Date(now.getTime() + 2 * 3600_000); // fires in two hours (last fired ~22 h ago): 1 server
  const at = (d: Date) => `${d.getUTCMinutes()} ${d.getUTCHours()} * * *`;
  const { proc, base } = await startLocalManager({
    MIN_SERVERS: '0',
    MIN_SERVERS_SCHEDULE: `${at(earlier)}=3;${at(later)}=1`,
    SCHEDULE_TIMEZONE: 'UTC',
    SLEEP_TIME: '0.5',
    POLL_INTERVAL: '0.3',
    LOG_LEVEL: 'info',
  });
  await waitFor(async () => (await serverStates(base)).filter((s) => s === 'active').length === 3, { what: '3 active servers', timeoutMs: 20_000 });
  const floor = proc.events().find((e) => String(e['reason'] ?? '').includes('in force at start'));
  expect(floor, 'a log line naming the rule in force at start').toBeDefined();
  // The margins alone (2 free seats of capacity 4) would have stopped at one server.
  expect((await serverStates(base)).length).toBe(3);
});
