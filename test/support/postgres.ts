// A throwaway PostgreSQL server for a test file: started in beforeAll, stopped (and its directory removed) in
// afterAll even when a test fails. Each test gets a fresh database on it.
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { startLocalPostgres, type LocalPostgres } from '../../src/arena/db/local-server.js';

export interface TestPostgres {
  server(): LocalPostgres;
  /** Creates an empty database and returns its URL; pools made on it are ended in afterAll. */
  freshDatabase(): Promise<string>;
  pool(url: string, max?: number): pg.Pool;
}

export function usePostgres(): TestPostgres {
  let server: LocalPostgres | null = null;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    server = await startLocalPostgres();
  }, 90_000);
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    await server?.close();
  }, 60_000);
  return {
    server: () => {
      if (!server) throw new Error('the PostgreSQL server did not start');
      return server;
    },
    async freshDatabase() {
      const s = this.server();
      const name = `t_${randomBytes(5).toString('hex')}`;
      const admin = new pg.Client(s.url);
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return s.url.replace(/\/postgres$/, `/${name}`);
    },
    pool(url, max = 10) {
      const p = new pg.Pool({ connectionString: url, max });
      p.on('error', () => undefined); // a restart test drops connections on purpose
      pools.push(p);
      return p;
    },
  };
}
