// `arbiter-arena --demo`: a throwaway PostgreSQL with ophelia's tables, two demo teams whose submissions are the demo
// bot, a local-mode manager, one worker, a best-of-3 round-robin, and the standings. Nothing to install first.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { demoBotDir, zipDirectory } from './bots/index.js';
import { createArena } from './compose.js';
import { loadArenaConfig } from './config.js';
import { startLocalPostgres } from './db/local-server.js';
import { migrate } from './db/migrate.js';
import { OPHELIA_DDL, SEED_TEAM_SQL } from './db/ophelia-ddl.js';
import { formatStandings, standings } from './db/tournament.js';
import { scheduleTournament } from './schedule-command.js';

const TEAMS = ['Ada', 'Grace'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`demo: timed out waiting for ${what}`);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function runDemo(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'arena-demo-'));
  let manager: ChildProcess | null = null;
  say('starting a throwaway PostgreSQL server');
  const db = await startLocalPostgres();
  try {
    const admin = new pg.Pool({ connectionString: db.url, max: 2 });
    await admin.query(OPHELIA_DDL);
    await migrate(admin, { ophelia: true });
    const zip = await zipDirectory(demoBotDir());
    for (const name of TEAMS) {
      const user = (await admin.query<{ id: number }>(SEED_TEAM_SQL.user, [name])).rows[0]!.id;
      const team = (await admin.query<{ id: number }>(SEED_TEAM_SQL.team, [name, user])).rows[0]!.id;
      await admin.query(SEED_TEAM_SQL.submission, [team, 1, zip]);
    }
    say(`seeded teams ${TEAMS.join(' and ')} with the demo bot's submission`);
    say(await scheduleTournament(admin, 'ophelia', 'Chess', { tournament: 'demo', format: 'round-robin', bestOf: 3, lives: 1, players: [] }));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // the worker announces its queue as demand with the manager's heartbeat token
    const heartbeatToken = randomBytes(16).toString('hex');
    manager = spawn(process.execPath, [fileURLToPath(new URL('../main.js', import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ENV_FILE: '/nonexistent/.env', PORT: String(port), HOST: '127.0.0.1', ARBITER_BACKEND: 'local', ARBITER_HEARTBEAT_TOKEN: heartbeatToken, GAMESERVER_CAPACITY: '4', UPSCALE_MARGIN: '2', DOWNSCALE_MARGIN: '7', LOG_LEVEL: 'error' },
    });
    say(`starting a local-mode manager on ${base}`);
    await until('a gameserver in rotation', 60_000, async () => {
      const res = await fetch(`${base}/api/servers`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { servers: Array<{ state: string }> };
      return body.servers.some((s) => s.state === 'active');
    });

    const config = loadArenaConfig({
      DATABASE_URL: db.url,
      ARBITER_URL: base,
      ARBITER_HEARTBEAT_TOKEN: heartbeatToken,
      ARENA_SCHEMA: 'ophelia',
      ARENA_PARALLEL: '2',
      MATCH_TIMEOUT: '120',
      LEASE_SECONDS: '15',
      LOG_STORE: `file://${join(root, 'logs')}`,
      ARENA_CACHE_DIR: join(root, 'cache'),
      ARENA_POLL_SECONDS: '0.2',
      ARENA_GRACE_SECONDS: '5',
      LOG_LEVEL: 'warn',
    });
    const arena = await createArena(config, { tty: process.stdout.isTTY === true });
    arena.start();
    await until('every demo game to end', 300_000, async () => {
      const r = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM games WHERE status IN ('queued', 'playing')`);
      return Number(r.rows[0]?.n) === 0;
    });
    await arena.close();
    say('\nstandings');
    say(formatStandings(await standings(admin, 'ophelia', 'demo')));
    const failed = await admin.query<{ n: string }>(`SELECT count(*) AS n FROM games WHERE status = 'failed'`);
    say(`\n${Number(failed.rows[0]?.n)} failed games; logs under ${join(root, 'logs')} (removed on exit)`);
    await admin.end();
    return 0;
  } finally {
    if (manager && manager.exitCode === null) {
      const exited = new Promise((r) => manager?.once('exit', r));
      manager.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (manager.exitCode === null) manager.kill('SIGKILL');
    }
    await db.close();
    rmSync(root, { recursive: true, force: true });
  }
}
