// Metrics about the process rather than the fleet: Node's defaults (memory, CPU, event-loop lag,
// handles) and a build-info gauge, so dashboards can tell versions apart. Registered by main only.
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

export function registerProcessMetrics(registry: Registry, build: { version: string }): void {
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'arbiter_build_info',
    help: 'Always 1; the labels say which build and Node version run',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  info.set({ version: build.version, node: process.versions.node }, 1);
}
