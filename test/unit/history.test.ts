import { describe, expect, it } from 'vitest';
import { History } from '../../src/manager/history.js';

const sample = (at: number, free = 3) => ({ at, free, upscaleMargin: 2, downscaleMargin: 6 });

describe('History', () => {
  it('keeps one capacity sample per interval and nothing older than the span', () => {
    const h = new History({ spanMs: 60_000, sampleEveryMs: 5_000 });
    for (let t = 0; t <= 120_000; t += 1_000) h.sample(sample(t, t / 1000));
    const { samples } = h.snapshot(120_000);
    expect(samples[0]?.at).toBe(60_000);
    expect(samples.at(-1)?.at).toBe(120_000);
    expect(samples).toHaveLength(13);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.at - samples[i - 1]!.at).toBe(5_000);
  });

  it('keeps the latest events, newest first', () => {
    const h = new History({ maxEvents: 3 });
    for (let i = 0; i < 5; i++) h.event({ at: i, source: 'decision', kind: 'launch', serverId: null, reason: `r${i}` });
    expect(h.snapshot(10).events.map((e) => e.reason)).toEqual(['r4', 'r3', 'r2']);
  });

  it.each([
    { name: 'all inside the window', at: [0, 10_000, 299_000], now: 299_500, want: 3 },
    { name: 'older than the window drop out', at: [0, 10_000, 299_000], now: 330_000, want: 1 },
    { name: 'a slot reused after a lap starts from zero', at: [0, 300_000], now: 300_000, want: 1 },
    { name: 'nothing at all', at: [], now: 1_000, want: 0 },
  ])('counts allocations in the last 5 minutes: $name', ({ at, now, want }) => {
    const h = new History();
    for (const t of at) h.allocation('backup', t);
    h.allocation('served', now);
    const a = h.snapshot(now).allocations;
    expect(a).toEqual({ windowSeconds: 300, served: 1, backup: want, refused: 0 });
  });

  it('refuses nonsense options by name', () => {
    expect(() => new History({ sampleEveryMs: 0 })).toThrow(/sampleEveryMs/);
  });
});
