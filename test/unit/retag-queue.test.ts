// Name tag writes go through one queue: one at a time, latest name wins, failures retried with back-off, servers that
// are gone dropped, and a summary line instead of one per server.
import { describe, expect, it } from 'vitest';
import { createManagerMetrics } from '../../src/manager/metrics.js';
import { RetagQueue, type RetagQueueDeps } from '../../src/manager/retag-queue.js';
import { createCapturingLogger, type LogLine } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

function setup(options: { fail?: (id: string, attempt: number) => boolean; names?: Map<string, string>; deps?: Partial<RetagQueueDeps> } = {}) {
  const { logger, lines } = createCapturingLogger();
  const metrics = createManagerMetrics();
  const names = options.names ?? new Map<string, string>();
  const written: Array<[string, string]> = [];
  const attempts = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const queue = new RetagQueue({
    write: async (id, name) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight -= 1;
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      if (options.fail?.(id, attempt)) throw new Error('RateLimitWaitError: tag bucket');
      written.push([id, name]);
    },
    current: (id) => names.get(id) ?? null,
    logger,
    metrics,
    retryMs: { first: 20, max: 40 },
    ...options.deps,
  });
  const rename = (id: string, name: string) => {
    names.set(id, name);
    queue.enqueue(id, name);
  };
  return { queue, rename, names, written, lines, metrics, maxInFlight: () => maxInFlight };
}

const summaries = (lines: LogLine[]) => lines.filter((l) => l.message === 'name tags written');

describe('RetagQueue', () => {
  it('a storm of 2,000 names is written one at a time, in order, with one summary line', async () => {
    const q = setup();
    for (let i = 0; i < 2_000; i++) q.rename(`task-${i}`, `name-${i}`);
    await q.queue.idle();
    expect(q.written).toHaveLength(2_000);
    expect(q.written[0]).toEqual(['task-0', 'name-0']);
    expect(q.written[1_999]).toEqual(['task-1999', 'name-1999']);
    expect(q.maxInFlight()).toBe(1);
    await waitFor(() => summaries(q.lines).length === 1, { what: 'the summary' });
    expect(q.lines).toHaveLength(1);
    expect(summaries(q.lines)[0]).toMatchObject({ level: 'info', written: 2_000, failed: 0, dropped: 0, waiting: 0 });
  });

  it('the latest name of a server wins over one not yet written', async () => {
    const q = setup();
    q.rename('a', 'first');
    q.rename('b', 'old');
    q.rename('b', 'new');
    await q.queue.idle();
    expect(q.written).toEqual([
      ['a', 'first'],
      ['b', 'new'],
    ]);
  });

  it('a failed write is tried again later, counted, and the summary says so', async () => {
    const q = setup({ fail: (id, attempt) => id === 'b' && attempt <= 2 });
    q.rename('a', 'alpha');
    q.rename('b', 'beta');
    q.rename('c', 'gamma');
    await waitFor(() => q.written.length === 3, { what: 'all three written' });
    expect(q.written.map(([id]) => id)).toEqual(['a', 'c', 'b']);
    expect(await q.metrics.registry.getSingleMetricAsString('arbiter_backend_errors_total')).toMatch(/operation="rename"} 2$/m);
    await waitFor(() => summaries(q.lines).some((l) => l.written === 1 && l.failed === 0), { what: 'the retry summary' });
    expect(summaries(q.lines)[0]).toMatchObject({ level: 'warn', written: 2, failed: 1, waiting: 1, lastError: 'RateLimitWaitError: tag bucket' });
    expect(q.queue.pending).toBe(0);
  });

  it('a server that is gone (or renamed since) is dropped, not written', async () => {
    const q = setup();
    q.rename('a', 'alpha');
    q.rename('b', 'beta');
    q.names.delete('b');
    await q.queue.idle();
    expect(q.written).toEqual([['a', 'alpha']]);
    await waitFor(() => summaries(q.lines).length === 1, { what: 'the summary' });
    expect(summaries(q.lines)[0]).toMatchObject({ written: 1, dropped: 1 });
  });

  it('close() lets the write in flight finish and writes nothing more', async () => {
    const q = setup();
    for (let i = 0; i < 50; i++) q.rename(`t${i}`, `n${i}`);
    await q.queue.close();
    expect(q.written.length).toBeLessThanOrEqual(1);
    q.rename('late', 'name');
    await new Promise((r) => setTimeout(r, 20));
    expect(q.written.length).toBeLessThanOrEqual(1);
  });
});
