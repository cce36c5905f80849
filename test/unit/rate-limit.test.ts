import express, { type Express } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allocationRateLimit, FixedWindowCounter } from '../../src/api/rate-limit.js';
import { createSilentLogger } from '../../src/shared/log.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('FixedWindowCounter', () => {
  it.each([
    { name: 'counts hits within a window', hits: [0, 10, 59_999], want: [1, 2, 3] },
    { name: 'a window ends windowMs after its first hit', hits: [0, 30_000, 60_000, 60_001], want: [1, 2, 1, 2] },
    { name: 'the next window starts at the first hit after the last one ended', hits: [0, 90_000, 149_999, 150_000], want: [1, 1, 2, 1] },
  ])('$name', ({ hits, want }) => {
    const counter = new FixedWindowCounter(60_000);
    expect(hits.map((at) => counter.hit('a', at).hits)).toEqual(want);
  });

  it('keeps each key apart', () => {
    const counter = new FixedWindowCounter(60_000);
    counter.hit('a', 0);
    counter.hit('a', 1);
    expect(counter.hit('b', 2)).toEqual({ hits: 1, resetAt: 60_002 });
  });

  it('a sweep keeps the keys seen since the sweep before and forgets the others at the next', () => {
    const counter = new FixedWindowCounter(60_000);
    counter.hit('seen', 0);
    counter.hit('gone', 0);
    counter.sweep();
    counter.hit('seen', 10);
    counter.sweep();
    expect(counter.hit('seen', 20).hits).toBe(3);
    expect(counter.hit('gone', 20)).toEqual({ hits: 1, resetAt: 60_020 });
  });

  it('the sweeps it makes by itself (a window after the last) keep the count of a client inside its window', () => {
    const counter = new FixedWindowCounter(60_000);
    expect([0, 30_000, 59_999].map((at) => counter.hit('a', at).hits)).toEqual([1, 2, 3]);
    // 60,000: the first sweep, and a's window has ended; 90,000 and 119,999 inside the new one; 120,000: a sweep.
    expect([60_000, 90_000, 119_999, 120_000, 179_999].map((at) => counter.hit('a', at).hits)).toEqual([1, 2, 3, 1, 2]);
    // b's window spans the sweep at 180,000 (its first hit at 150,000): the sweep must not reset it.
    expect([150_000, 185_000].map((at) => counter.hit('b', at).hits)).toEqual([1, 2]);
  });
});

/** express-rate-limit with the options the manager used before it counted synchronously. */
function libraryApp(limit: number): Express {
  const app = express();
  app.get(
    '/a',
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler: (_req, res) => {
        res.status(429).json({ error: `more than ${limit} allocations a minute from this client`, code: 'rate_limited' });
      },
      validate: { xForwardedForHeader: false },
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    }),
    (_req, res) => void res.json({ ok: true }),
  );
  return app;
}

function ourApp(limit: number): Express {
  const app = express();
  const security = { adminToken: undefined, allocateToken: undefined, heartbeatToken: undefined, corsOrigins: ['*'], allocateRateLimitPerMinute: limit, trustProxy: undefined };
  app.get('/a', allocationRateLimit({ security, logger: createSilentLogger() }), (_req, res) => void res.json({ ok: true }));
  return app;
}

type Answer = { status: number; body: unknown; policy: unknown; rateLimit: unknown; retryAfter: unknown };

async function answers(app: Express, times: number[]): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const at of times) {
    vi.setSystemTime(at);
    const res = await request(app).get('/a');
    out.push({ status: res.status, body: res.body as unknown, policy: res.headers['ratelimit-policy'], rateLimit: res.headers.ratelimit, retryAfter: res.headers['retry-after'] });
  }
  return out;
}

describe('allocationRateLimit answers as express-rate-limit did', () => {
  it.each([
    { name: 'under the limit', limit: 5, times: [0, 1_000, 2_000] },
    { name: 'over the limit, then a new window', limit: 2, times: [0, 1_000, 2_000, 30_500, 59_999, 60_000, 61_000, 62_000] },
    { name: 'a limit of one', limit: 1, times: [0, 0, 45_000, 120_000, 120_001] },
  ])('$name', async ({ limit, times }) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 0, 1);
    const at = times.map((t) => start + t);
    const ours = await answers(ourApp(limit), at);
    const library = await answers(libraryApp(limit), at);
    expect(ours).toEqual(library);
    expect(ours.some((a) => a.status === 429)).toBe(times.length > limit);
  });
});
