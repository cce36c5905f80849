import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerProcessMetrics } from '../../src/process-metrics.js';

describe('registerProcessMetrics', () => {
  it('exposes memory, CPU, event-loop lag and the build info', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry, { version: '1.2.3' });
    const text = await registry.metrics();
    for (const name of ['process_resident_memory_bytes', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(text).toContain(`\n${name} `);
    }
    expect(text).toContain(`arbiter_build_info{version="1.2.3",node="${process.versions.node}"} 1`);
  });
});
