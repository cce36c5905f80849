import { describe, expect, it } from 'vitest';
import { createArenaMetrics } from '../../src/arena/metrics.js';

describe('arena metrics before any match', () => {
  it.each([
    'arena_matches_total{outcome="failed"}',
    'arena_matches_total{outcome="requeued"}',
    'arena_matches_total{outcome="lease_lost"}',
    'arena_lease_renewals_total{result="lost"}',
    'arena_lease_renewals_total{result="error"}',
    'arena_lease_takeovers_total',
  ])('has %s at 0', async (series) => {
    const text = await createArenaMetrics().registry.metrics();
    expect(text.split('\n')).toContain(`${series} 0`);
  });
});
