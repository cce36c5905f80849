import { describe, expect, it } from 'vitest';
import { exponentialDelay, retryAfterFailureMs, withJitter } from '../../src/shared/backoff.js';

describe('exponentialDelay', () => {
  it.each([
    { name: 'the first retry waits the base', retry: 0, backoff: { baseMs: 500, maxMs: 3000 }, want: 500 },
    { name: 'doubles by default', retry: 2, backoff: { baseMs: 500, maxMs: 3000 }, want: 2000 },
    { name: 'stops at the cap', retry: 3, backoff: { baseMs: 500, maxMs: 3000 }, want: 3000 },
    { name: 'stays at the cap after very many failures', retry: 1e9, backoff: { baseMs: 1, maxMs: 120_000 }, want: 120_000 },
    { name: 'another factor', retry: 2, backoff: { baseMs: 100, maxMs: 10_000, factor: 3 }, want: 900 },
    { name: 'no cap', retry: 10, backoff: { baseMs: 1 }, want: 1024 },
    { name: 'a zero base stays zero', retry: 5, backoff: { baseMs: 0, maxMs: 100 }, want: 0 },
  ])('$name', ({ retry, backoff, want }) => {
    expect(exponentialDelay(retry, backoff)).toBe(want);
  });
});

describe('withJitter', () => {
  it.each([
    { name: 'equal, lowest draw', jitter: 'equal' as const, random: 0, want: 500 },
    { name: 'equal, highest draw', jitter: 'equal' as const, random: 0.999999, want: 1000 },
    { name: 'full, lowest draw', jitter: 'full' as const, random: 0, want: 0 },
    { name: 'full, middle draw', jitter: 'full' as const, random: 0.25, want: 250 },
  ])('$name', ({ jitter, random, want }) => {
    expect(withJitter(1000, jitter, () => random)).toBe(want);
  });
});

describe('retryAfterFailureMs', () => {
  it.each([
    { name: 'a short interval is kept', interval: 2000, want: 2000 },
    { name: 'a long interval is cut to 5 s', interval: 60_000, want: 5000 },
  ])('$name', ({ interval, want }) => {
    expect(retryAfterFailureMs(interval)).toBe(want);
  });
});
