// One transaction on a pooled client: COMMIT on return, ROLLBACK on throw, the client always released.
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a server that goes away mid-transaction rejects the query in flight; without a listener the client's own
  // 'error' event would also crash the process
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/** Thrown inside a transaction to roll back without an error: the lease was not ours. */
export class LeaseLostError extends Error {
  constructor(matchId: number) {
    super(`lease on match ${matchId} is no longer held`);
    this.name = 'LeaseLostError';
  }
}
