// Metrics about the process rather than the fleet: Node's defaults (memory, CPU, event-loop lag,
// handles) and a build-info gauge, so dashboards can tell versions apart. Registered by main only.
import { readdir } from 'node:fs/promises';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

const OPEN_FDS = 'process_open_fds';

export function registerProcessMetrics(registry: Registry, build: { version: string }): void {
  collectDefaultMetrics({ register: registry });
  replaceOpenFds(registry);
  const info = new Gauge({
    name: 'arbiter_build_info',
    help: 'Always 1; the labels say which build and Node version run',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  info.set({ version: build.version, node: process.versions.node }, 1);
}

/**
 * prom-client counts open files with a synchronous readdir of /proc/self/fd. A manager polling 10,000 gameservers
 * holds 10,000 sockets, and that read blocked its thread for 15–30 ms on every scrape; the same gauge is read here
 * off the thread (libuv's pool), under the same name and meaning.
 */
function replaceOpenFds(registry: Registry): void {
  if (registry.getSingleMetric(OPEN_FDS) === undefined) return; // not Linux: prom-client leaves it out too
  registry.removeSingleMetric(OPEN_FDS);
  new Gauge({
    name: OPEN_FDS,
    help: 'Number of open file descriptors.',
    registers: [registry],
    async collect() {
      try {
        // Less the descriptor the read itself had open.
        this.set((await readdir('/proc/self/fd')).length - 1);
      } catch {
        // /proc unreadable: the gauge keeps its last value, as prom-client's does
      }
    },
  });
}
