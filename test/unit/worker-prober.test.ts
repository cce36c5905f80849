// The worker prober beyond the probe contract it shares with HttpProber (prober.test.ts): a worker that stops
// fails the polls in flight and comes back, close() ends the thread, and a flood of probes travels in batches.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/manager/prober.js';
import { pollWorkerLimits } from '../../src/manager/poll-worker-memory.js';
import { WorkerProber, type WorkerProberOptions } from '../../src/manager/worker-prober.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { createCapturingLogger } from '../support/factories.js';
import { waitFor } from '../support/wait.js';

const OOM_SCRIPT = new URL('../fixtures/oom-poll-worker.mjs', import.meta.url).pathname;
const SILENT_SCRIPT = new URL('../fixtures/silent-poll-worker.mjs', import.meta.url).pathname;

let server: Server;
let port: number;
/** Requests held without an answer until released. */
let hold = false;
const held: Array<() => void> = [];
let prober: WorkerProber | null = null;

const workerOf = (p: WorkerProber): Worker => (p as unknown as { worker: Worker | null }).worker as Worker;

function make(options: Partial<WorkerProberOptions> = {}): WorkerProber {
  prober = new WorkerProber({ timeoutMs: 2_000, logger: createSilentLogger(), restartDelayMs: { first: 20, max: 200 }, ...options });
  return prober;
}

beforeEach(async () => {
  hold = false;
  held.length = 0;
  server = createServer((_req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"available_capacity":3,"ready_to_close":false}');
    if (hold) held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await prober?.close();
  prober = null;
  for (const answer of held) answer();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('pollWorkerLimits', () => {
  it.each([
    [0, 64],
    [100, 65],
    [1_000, 72],
    [10_000, 143],
    [50_000, 455],
  ])('MAX_SERVERS %i gives the worker an old generation of %i MB', (maxServers, mb) => {
    expect(pollWorkerLimits(maxServers)).toEqual({ maxOldGenerationSizeMb: mb, maxYoungGenerationSizeMb: 16 });
  });

  it('refuses a count that is not a whole number', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => pollWorkerLimits(bad)).toThrow(RangeError);
  });
});

describe('WorkerProber', () => {
  it('fails the polls in flight when its worker dies, logs and counts it, and answers again from a new worker', async () => {
    const { logger, lines } = createCapturingLogger();
    const registry = new Registry();
    const p = make({ logger, registry });
    expect(await p.probe('127.0.0.1', port)).toMatchObject({ ok: true });
    hold = true;
    const inFlight = Array.from({ length: 5 }, () => p.probe('127.0.0.1', port));
    await waitFor(() => held.length === 1, { what: 'the first held request' });
    const first = workerOf(p);
    await first.terminate();
    expect(await Promise.all(inFlight)).toEqual(Array.from({ length: 5 }, () => ({ ok: false, error: 'poll worker stopped', inconclusive: true })));
    expect(await registry.getSingleMetricAsString('arbiter_poll_worker_stops_total')).toMatch(/^arbiter_poll_worker_stops_total 1$/m);
    expect(p.restarts).toBe(1);
    await waitFor(() => lines.find((l) => l.message === 'poll worker stopped'), { what: 'the log line' });
    expect(lines.find((l) => l.message === 'poll worker stopped')).toMatchObject({ level: 'error', inFlight: 5, restarts: 1 });
    hold = false;
    // Asked while the worker is down or starting: sent to the new one.
    expect(await p.probe('127.0.0.1', port)).toEqual({ ok: true, report: { availableCapacity: 3, readyToClose: false } });
    expect(workerOf(p)).not.toBe(first);
  });

  it("reports the worker's own heap in arbiter_poll_worker_heap_bytes, and forgets it when the worker stops", async () => {
    const registry = new Registry();
    const p = make({ registry });
    await waitFor(() => p.workerHeap !== null, { what: "the worker's first heap report" });
    const heap = p.workerHeap!;
    expect(heap.used).toBeGreaterThan(1_000_000);
    expect(heap.total).toBeGreaterThanOrEqual(heap.used);
    const text = await registry.getSingleMetricAsString('arbiter_poll_worker_heap_bytes');
    const used = Number(/arbiter_poll_worker_heap_bytes\{space="used"\} (\d+)/.exec(text)?.[1]);
    expect(used).toBe(heap.used);
    expect(text).toMatch(/space="total"\} \d+/);
    expect(text).toMatch(/space="external"\} \d+/);
    await p.close();
    // A stopped worker's last figures would be stale: a prober whose worker is down (and not yet restarted)
    // reports nothing, and the new worker reports again.
    const registry2 = new Registry();
    const q = make({ registry: registry2, restartDelayMs: { first: 1_500, max: 1_500 } });
    await waitFor(() => q.workerHeap !== null, { what: "the worker's first heap report" });
    const first = workerOf(q);
    await first.terminate();
    await waitFor(() => q.restarts === 1, { what: 'the stop to be seen' });
    expect(q.workerHeap).toBeNull();
    expect(await registry2.getSingleMetricAsString('arbiter_poll_worker_heap_bytes')).not.toMatch(/space="used"/);
    await waitFor(() => q.workerHeap !== null && workerOf(q) !== first, { what: "the new worker's heap report" });
  });

  it('a worker out of heap is a stop like any other: its polls fail and the manager goes on', async () => {
    const p = make({ script: OOM_SCRIPT, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 }, restartDelayMs: { first: 60_000, max: 60_000 } });
    expect(await p.probe('127.0.0.1', port)).toEqual({ ok: false, error: 'poll worker stopped', inconclusive: true });
    expect(await Promise.race([p.setDraining('127.0.0.1', port, true), new Promise((r) => setTimeout(() => r('waiting'), 50))])).toBe('waiting');
    expect(p.restarts).toBe(1);
  });

  it('a worker that keeps stopping is given up on: polls run on the main thread and answer again', async () => {
    const { logger, lines } = createCapturingLogger();
    const p = make({ script: OOM_SCRIPT, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 }, fallbackAfterStops: 3, logger });
    const results: ProbeResult[] = [];
    while (!p.onMainThread) {
      results.push(await p.probe('127.0.0.1', port));
      expect(results.length).toBeLessThan(10);
    }
    expect(p.restarts).toBe(3);
    expect(results.every((r) => !r.ok && r.inconclusive === true)).toBe(true);
    expect(lines.find((l) => l.message === 'poll worker keeps stopping; polling on the main thread')).toMatchObject({ level: 'error', stopsInARow: 3 });
    expect(await p.probe('127.0.0.1', port)).toEqual({ ok: true, report: { availableCapacity: 3, readyToClose: false } });
    expect(await p.setDraining('127.0.0.1', port, true)).toBe(true);
  });

  it('a worker that stops answering is terminated after stallMs and its polls fail', async () => {
    const { logger, lines } = createCapturingLogger();
    const p = make({ script: SILENT_SCRIPT, stallMs: 200, logger, restartDelayMs: { first: 60_000, max: 60_000 } });
    const started = performance.now();
    expect(await p.probe('127.0.0.1', port)).toEqual({ ok: false, error: 'poll worker stopped', inconclusive: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(p.restarts).toBe(1);
    await waitFor(() => lines.find((l) => l.message === 'poll worker stopped'), { what: 'the log line' });
    expect(lines.find((l) => l.message === 'poll worker stopped')?.error).toMatch(/^no answer for \d+ ms$/);
  });

  it('close() ends the thread and answers what was waiting; later probes fail at once', async () => {
    const p = make();
    expect(await p.probe('127.0.0.1', port)).toMatchObject({ ok: true });
    hold = true;
    const waiting = p.probe('127.0.0.1', port);
    const drain = p.setDraining('127.0.0.1', port, true);
    await waitFor(() => held.length === 1, { what: 'the held request' });
    const worker = workerOf(p);
    let exited = false;
    worker.once('exit', () => (exited = true));
    await p.close();
    expect(exited).toBe(true);
    expect(worker.threadId).toBe(-1);
    expect(await waiting).toEqual({ ok: false, error: 'poll worker stopped', inconclusive: true });
    expect(await drain).toBe(false);
    expect(await p.probe('127.0.0.1', port)).toEqual({ ok: false, error: 'poll worker stopped', inconclusive: true });
    await p.close();
  });

  it('sends a flood of probes in one message and answers them in batches', async () => {
    const servers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"available_capacity":1,"ready_to_close":false}'));
        await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
        return s;
      }),
    );
    try {
      const ports = servers.map((s) => (s.address() as AddressInfo).port);
      const p = make();
      expect(await p.probe('127.0.0.1', port)).toMatchObject({ ok: true });
      const worker = workerOf(p);
      let posted = 0;
      let answers = 0;
      const post = worker.postMessage.bind(worker);
      worker.postMessage = (value: unknown) => {
        posted += 1;
        post(value);
      };
      worker.on('message', () => (answers += 1));
      const results = await Promise.all(Array.from({ length: 1_000 }, (_, i) => p.probe('127.0.0.1', ports[i % ports.length] as number)));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(posted).toBe(1);
      expect(answers).toBeGreaterThan(0);
      // 100 servers answer ten polls each, one at a time per connection: results come back by the dozen.
      expect(answers).toBeLessThanOrEqual(100);
    } finally {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
  });
});
