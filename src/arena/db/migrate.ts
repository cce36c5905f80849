// Applies the numbered migrations that the database has not recorded yet; safe when many workers start at once.
import type pg from 'pg';
import { MIGRATIONS, OPHELIA_INDEX_SQL, type Migration } from './migrations.js';

// any constant: workers that start together take turns instead of racing on CREATE TABLE
const MIGRATION_LOCK = 4_242_017;

export async function migrate(pool: pg.Pool, opts: { ophelia?: boolean; migrations?: readonly Migration[] } = {}): Promise<number[]> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const client = await pool.connect();
  const applied: number[] = [];
  const ignore = (): void => undefined; // see tx.ts: the failing query reports it
  client.on('error', ignore);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS arbiter');
    await client.query(
      'CREATE TABLE IF NOT EXISTS arbiter.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM arbiter.schema_migrations')).rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO arbiter.schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
    }
    if (opts.ophelia) await client.query(OPHELIA_INDEX_SQL);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.off('error', ignore);
    client.release();
  }
  return applied;
}
