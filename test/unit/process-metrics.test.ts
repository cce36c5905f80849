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

describe('process_open_fds', () => {
  it.runIf(process.platform === 'linux')('counts the open descriptors, and follows files opened and closed', async () => {
    const { openSync, closeSync, readdirSync } = await import('node:fs');
    const registry = new Registry();
    registerProcessMetrics(registry, { version: '1.2.3' });
    const read = async () => (await registry.getSingleMetric('process_open_fds')!.get()).values[0]!.value;
    const before = await read();
    expect(Math.abs(before - (readdirSync('/proc/self/fd').length - 1))).toBeLessThanOrEqual(2);
    const opened = Array.from({ length: 20 }, () => openSync('/dev/null', 'r'));
    try {
      expect((await read()) - before).toBeGreaterThanOrEqual(18);
    } finally {
      for (const fd of opened) closeSync(fd);
    }
    expect(Math.abs((await read()) - before)).toBeLessThanOrEqual(2);
    expect(await registry.metrics()).toMatch(/\nprocess_open_fds \d+\n/);
  });
});
