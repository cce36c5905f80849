// The real manager (`node dist/src/main.js`) in local mode on a free loopback port, for end-to-end tests.
import { startNode, type RunningProcess } from './processes.js';
import { freePort, freePortPair } from './wait.js';

export interface LocalManager {
  proc: RunningProcess;
  port: number;
  /** http://127.0.0.1:PORT */
  base: string;
}

/**
 * Capacity 4 per gameserver, margins 2 and 7, no scale-in delay, no .env file, a backup gameserver on a free port pair and warn-level
 * logs; `env` adds to or overrides any of it.
 */
export async function startLocalManager(env: Record<string, string> = {}): Promise<LocalManager> {
  const port = await freePort();
  const proc = startNode('dist/src/main.js', {
    ENV_FILE: '/nonexistent/.env',
    PORT: String(port),
    HOST: '127.0.0.1',
    ARBITER_BACKEND: 'local',
    GAMESERVER_CAPACITY: '4',
    UPSCALE_MARGIN: '2',
    DOWNSCALE_MARGIN: '7',
    // Tests of scale-in watch it happen; the tests of SCALE_IN_DELAY set it themselves.
    SCALE_IN_DELAY: '0',
    BACKUP_GAMESERVER: `127.0.0.1:${await freePortPair()}`,
    LOG_LEVEL: 'warn',
    ...env,
  });
  return { proc, port, base: `http://127.0.0.1:${port}` };
}

/** States of the servers GET /api/servers lists. */
export async function serverStates(base: string): Promise<string[]> {
  const res = await fetch(`${base}/api/servers`, { signal: AbortSignal.timeout(2000) });
  const body = (await res.json()) as { servers: Array<{ state: string }> };
  return body.servers.map((s) => s.state);
}
