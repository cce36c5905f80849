// The pg pool, with the bounds a worker needs: connects time out, and a dropped server connection is logged, not fatal.
import pg from 'pg';
import type { Logger } from '../../shared/log.js';
import { createArbiterQueue } from './arbiter-queue.js';
import { createOpheliaQueue } from './ophelia-queue.js';
import type { MatchQueue, QueueOptions } from './queue.js';

export function createPool(url: string, size: number, logger?: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: size, connectionTimeoutMillis: 5000, idleTimeoutMillis: 10_000, statement_timeout: 30_000 });
  // an idle client whose server went away emits here; pg drops it and the next query connects anew
  pool.on('error', (err) => logger?.warn('database connection lost', { error: err.message }));
  return pool;
}

export function createQueue(schema: 'arbiter' | 'ophelia', pool: pg.Pool, opts: QueueOptions): MatchQueue {
  return schema === 'ophelia' ? createOpheliaQueue(pool, opts) : createArbiterQueue(pool, opts);
}
