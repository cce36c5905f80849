// The poll worker's memory: the heap bounds it runs under, and the gauge of the heap it reports (poll-wire.ts's
// HeapMessage), which Node's process metrics do not see.
import type { ResourceLimits } from 'node:worker_threads';
import { Gauge, type Registry } from 'prom-client';
import type { HeapMessage } from './poll-wire.js';

/** The bounds of a worker started without a fleet size (tests, tools). */
export const DEFAULT_POLL_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 16 };

/**
 * The worker's heap bounds for a fleet of up to `maxServers`: what it holds grows with the servers it keeps a
 * connection to (about 3 KB of heap each over node:http's Agent, bench/memory; 52 MB in all at 10,000), so a fixed
 * bound is either loose for a small fleet or too tight for a large one. 64 MB plus 8 KB a server: 143 MB at 10,000,
 * 2.5× what it uses there. A worker above it stops and is restarted (a leak must not take the manager's memory).
 */
export function pollWorkerLimits(maxServers: number): ResourceLimits {
  if (!(Number.isInteger(maxServers) && maxServers >= 0)) throw new RangeError('pollWorkerLimits: maxServers must be a whole number ≥ 0');
  return { maxOldGenerationSizeMb: 64 + Math.ceil((maxServers * 8) / 1024), maxYoungGenerationSizeMb: 16 };
}

/** arbiter_poll_worker_heap_bytes{space}: the running worker's last report, nothing while no worker has reported. */
export function registerWorkerHeapGauge(registry: Registry, lastReport: () => HeapMessage['heap'] | null): void {
  new Gauge({
    name: 'arbiter_poll_worker_heap_bytes',
    help: "The poll worker thread's V8 heap (used, total) and the memory its objects hold outside it (external), as it last reported (every 5 s).",
    labelNames: ['space'],
    registers: [registry],
    collect() {
      this.reset();
      const heap = lastReport();
      if (!heap) return;
      this.set({ space: 'used' }, heap[0]);
      this.set({ space: 'total' }, heap[1]);
      this.set({ space: 'external' }, heap[2]);
    },
  });
}
