// The arena's claim (MatchQueue.claim: expired lease first, else the lowest queued match, FOR UPDATE SKIP LOCKED) on
// a real PostgreSQL server, with 1,000,000 finished matches in the table against an empty history, in both schemas.
// The claim reads partial indexes only, so the history should cost it nothing: the ratio should stay near 1.
import type pg from 'pg';
import PgPool from 'pg';
import { startLocalPostgres, type LocalPostgres } from '../src/arena/db/local-server.js';
import { migrate } from '../src/arena/db/migrate.js';
import { OPHELIA_DDL, SEED_TEAM_SQL } from '../src/arena/db/ophelia-ddl.js';
import { createQueue } from '../src/arena/db/pool.js';
import { percentile, row, type Benchmark, type BenchRow } from './harness.js';

const HISTORY = 1_000_000;
const QUEUED = 1_000;
const ROUNDS = 4;
type Schema = 'arbiter' | 'ophelia';

async function database(server: LocalPostgres, name: string): Promise<pg.Pool> {
  const admin = new PgPool.Client(server.url);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return new PgPool.Pool({ connectionString: server.url.replace(/\/postgres$/, `/${name}`), max: 2 });
}

/** The tables, `history` finished matches (ophelia: each with the released lease row Arbiter leaves), then QUEUED queued. */
async function seed(pool: pg.Pool, schema: Schema, history: number): Promise<void> {
  if (schema === 'arbiter') {
    await migrate(pool);
    await pool.query(`INSERT INTO arbiter.matches (game, status, attempts, winner) SELECT 'Chess', 'finished', 1, 'a' FROM generate_series(1, $1)`, [history]);
    const ids = await pool.query<{ id: string }>(`INSERT INTO arbiter.matches (game) SELECT 'Chess' FROM generate_series(1, $1) RETURNING id`, [QUEUED]);
    await pool.query(
      `INSERT INTO arbiter.match_players (match_id, seat, name, command) SELECT m.id, s, 'p' || s, 'true' FROM unnest($1::bigint[]) AS m(id), generate_series(0, 1) s`,
      [ids.rows.map((r) => r.id)],
    );
    await pool.query('VACUUM ANALYZE arbiter.matches');
    return;
  }
  await pool.query(OPHELIA_DDL);
  await migrate(pool, { ophelia: true });
  const c = await pool.connect();
  try {
    // seeding only: no foreign-key triggers per inserted seat (the rows are consistent by construction)
    await c.query(`SET session_replication_role = replica`);
    const subs: number[] = [];
    for (const name of ['red', 'blue']) {
      const user = (await pool.query<{ id: number }>(SEED_TEAM_SQL.user, [name])).rows[0]!.id;
      const team = (await pool.query<{ id: number }>(SEED_TEAM_SQL.team, [name, user])).rows[0]!.id;
      subs.push((await pool.query<{ id: number }>(SEED_TEAM_SQL.submission, [team, 1, Buffer.from('zip')])).rows[0]!.id);
    }
    await c.query(`INSERT INTO games (status, winner_id) SELECT 'finished', $2 FROM generate_series(1, $1)`, [history, subs[0]]);
    await c.query(`INSERT INTO arbiter.ophelia_leases (game_id, owner, attempt, expires_at) SELECT id, NULL, 1, NULL FROM games`);
    // two seats per game played, as the scheduler writes them
    await c.query(`INSERT INTO games_submissions (game_id, submission_id) SELECT id, s FROM games, unnest($1::int[]) AS s`, [subs]);
    const ids = await pool.query<{ id: number }>(`INSERT INTO games (status) SELECT 'queued' FROM generate_series(1, $1) RETURNING id`, [QUEUED]);
    await c.query(
      `INSERT INTO games_submissions (game_id, submission_id) SELECT g.id, s FROM unnest($1::int[]) AS g(id), unnest($2::int[]) AS s ORDER BY g.id`,
      [ids.rows.map((r) => r.id), subs],
    );
    await c.query('VACUUM ANALYZE games');
    await c.query('VACUUM ANALYZE games_submissions');
    await c.query('VACUUM ANALYZE arbiter.ophelia_leases');
  } finally {
    await c.query('RESET session_replication_role').catch(() => undefined);
    c.release();
  }
}

/** Milliseconds of each claim, `count` claims one after another, each given back so the queue stays the same. */
async function claims(pool: pg.Pool, schema: Schema, count: number): Promise<number[]> {
  const queue = createQueue(schema, pool, { leaseSeconds: 60, maxAttempts: 3, game: 'Chess' });
  const times: number[] = [];
  const held = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const claim = await queue.claim('bench');
    times.push(performance.now() - started);
    if (!claim) throw new Error(`arena-claim: the ${schema} queue ran dry after ${i} claims`);
    held.push(claim);
  }
  // given back in one go: each claim above took a new queued match, as a worker does
  for (const c of held) await queue.giveBack(c);
  return times;
}

export const arenaClaim: Benchmark = {
  name: 'arena-claim',
  title: `Arena claim latency with ${HISTORY.toLocaleString('en-US')} finished matches vs an empty history (real PostgreSQL, both schemas)`,
  async run(ctx) {
    ctx.progress('arena-claim: starting a throwaway PostgreSQL server');
    const server = await startLocalPostgres();
    const pools: pg.Pool[] = [];
    try {
      const rows: BenchRow[] = [];
      const notes: string[] = [];
      for (const schema of ['arbiter', 'ophelia'] as const) {
        const empty = await database(server, `bench_${schema}_empty`);
        const full = await database(server, `bench_${schema}_full`);
        pools.push(empty, full);
        ctx.progress(`arena-claim: ${schema}: seeding ${HISTORY.toLocaleString('en-US')} finished matches`);
        const seeded = performance.now();
        await seed(empty, schema, 0);
        await seed(full, schema, HISTORY);
        notes.push(`${schema}: seeding both databases took ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
        await claims(empty, schema, 50); // warm both: connections, plans, caches
        await claims(full, schema, 50);
        const a: number[] = [];
        const b: number[] = [];
        // alternating rounds, so a burst of load elsewhere on the machine lands on both
        for (let r = 0; r < ROUNDS; r++) {
          ctx.progress(`arena-claim: ${schema}: round ${r + 1} of ${ROUNDS}`);
          b.push(...(await claims(full, schema, QUEUED / 4)));
          a.push(...(await claims(empty, schema, QUEUED / 4)));
        }
        a.sort((x, y) => x - y);
        b.sort((x, y) => x - y);
        for (const p of [50, 99]) {
          rows.push(row(`${schema}: claim p${p}`, 'ms', percentile(b, p), percentile(a, p), `with ${HISTORY.toLocaleString('en-US')} finished ÷ empty history; ≈ 1 means the history costs the claim nothing`));
        }
      }
      return {
        setup: `a throwaway PostgreSQL server on 127.0.0.1:${server.port}, ${QUEUED} queued matches of 2 players, ${ROUNDS} alternating rounds of ${QUEUED / 4} claims per database, one connection, each claim its own transaction; ophelia's history also holds its 2 seats (games_submissions) and a released lease row per game`,
        rows,
        notes,
      };
    } finally {
      for (const p of pools) await p.end().catch(() => undefined);
      await server.close();
    }
  },
};
