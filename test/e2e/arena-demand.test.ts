// The arena tells a real manager about its queue (POST /api/demand, heartbeat token) and allocates with `?wait=`:
// a fleet of zero servers with no upscale margin and no backup grows only because of that signal, every match is
// played on its first attempt (the allocation waited instead of being refused), and a stopping worker clears it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalManager, serverStates, type LocalManager } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { usePostgres } from '../support/postgres.js';
import { demoZip, queueGames, seedOphelia, startWorker, statusCounts } from '../support/arena.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'arena-demand-test-heartbeat-token';
const db = usePostgres();
let manager: LocalManager;
let root: string;

interface DemandView {
  signals: Array<{ source: string; seats: number }>;
}

async function demand(): Promise<DemandView> {
  const res = await fetch(`${manager.base}/api/demand`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(2000) });
  return (await res.json()) as DemandView;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'arena-demand-'));
  manager = await startLocalManager({
    ARBITER_HEARTBEAT_TOKEN: TOKEN,
    MIN_SERVERS: '0',
    UPSCALE_MARGIN: '0',
    DOWNSCALE_MARGIN: '7',
    GAMESERVER_CAPACITY: '4',
    BACKUP_GAMESERVER: '',
    SLEEP_TIME: '1',
    DEMO_SESSION_SECONDS: '1',
    LOG_LEVEL: 'info',
  });
  await waitFor(async () => (await fetch(`${manager.base}/readyz`)).status === 200, { timeoutMs: 20_000, what: 'manager ready' });
}, 60_000);

afterAll(async () => {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('the arena as a source of demand', () => {
  it('announces its queue, is served by the servers that launches, and clears the signal when it stops', async () => {
    // nothing to serve yet: no server runs, and without ?wait= an allocation would be refused (no backup)
    expect(await serverStates(manager.base)).toEqual([]);
    const noWait = await fetch(`${manager.base}/available-server/?session=probe`);
    expect(noWait.status).toBe(503);

    const url = await db.freshDatabase();
    const pool = db.pool(url);
    const zip = await demoZip();
    const subs = await seedOphelia(pool, [
      { name: 'Ada', zip },
      { name: 'Grace', zip },
    ]);
    const games = await queueGames(pool, subs.get('Ada')!, subs.get('Grace')!, 8);
    const worker = startWorker({
      DATABASE_URL: url,
      ARBITER_URL: manager.base,
      ARBITER_HEARTBEAT_TOKEN: TOKEN,
      ARENA_DEMAND_SECONDS: '2',
      ARENA_PARALLEL: '1',
      LEASE_SECONDS: '5',
      MAX_ATTEMPTS: '3',
      MATCH_TIMEOUT: '60',
      ARENA_GRACE_SECONDS: '30',
      LOG_STORE: `file://${join(root, 'logs')}`,
      ARENA_CACHE_DIR: join(root, 'cache'),
    });
    // the signal names the queued matches (one may already be claimed when it is first sent)
    const first = await waitFor(async () => (await demand()).signals.find((s) => s.source === 'arena'), { timeoutMs: 20_000, intervalMs: 100, what: 'the arena demand signal' });
    expect(first.seats).toBeGreaterThanOrEqual(games.length - 1);
    expect(first.seats).toBeLessThanOrEqual(games.length);
    // the manager launched for it: a scaling decision that names the demand headroom
    await waitFor(() => manager.proc.events().some((e) => e.message === 'scaling decision' && e.kind === 'launch' && Number(e.headroom) > 0), {
      timeoutMs: 20_000,
      what: 'a launch for the demand',
    });
    // two games played, then stop while the rest are still queued
    await waitFor(async () => ((await statusCounts(pool)).finished ?? 0) >= 2, { timeoutMs: 60_000, intervalMs: 200, what: 'two games finished' });
    const live = (await demand()).signals.find((s) => s.source === 'arena');
    expect(live?.seats).toBeGreaterThan(0);
    expect((await worker.stop(40_000)).code).toBe(0);
    // cleared at once (seats 0), not left to expire after its ttl of 6 s
    expect((await demand()).signals.find((s) => s.source === 'arena')).toBeUndefined();
    expect((await statusCounts(pool)).queued ?? 0).toBeGreaterThan(0);

    // every game played was played on its first attempt: the allocations waited for the launched server
    const attempts = (await pool.query<{ game_id: number; attempt: number; outcome: string }>('SELECT game_id, attempt, outcome FROM arbiter.ophelia_attempts ORDER BY game_id')).rows;
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const a of attempts) expect(a).toMatchObject({ attempt: 1, outcome: 'finished' });
  }, 120_000);
});
