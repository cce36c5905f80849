// Local mode: an empty BACKUP_GAMESERVER is the user's choice of no backup, so allocation without room is a 503.
import { afterAll, expect, it } from 'vitest';
import { startLocalManager } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

afterAll(async () => {
  await stopAll();
}, 30_000);

it('BACKUP_GAMESERVER= (empty) starts no backup and answers 503 when no server has room', async () => {
  // No server may start, so nothing ever has room.
  const { proc, base } = await startLocalManager({ BACKUP_GAMESERVER: '', MIN_SERVERS: '0', MAX_SERVERS: '1', LOCAL_GAMESERVER_COMMAND: 'exit 3', LOG_LEVEL: 'info' });
  const listening = await waitFor(() => proc.events().find((e) => e['message'] === 'manager listening'), { what: 'manager listening', timeoutMs: 15_000 });
  expect(listening['backup']).toBeNull();
  expect(proc.events().some((e) => String(e['message']).startsWith('backup gameserver'))).toBe(false);
  const res = await fetch(`${base}/available-server/`);
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ code: 'no_capacity' });
});
