// The per-client allocation rate limit (ALLOCATE_RATE_LIMIT a minute; 0 turns it off).
//
// It answers as express-rate-limit's memory store with draft-7 headers did (same windows, same headers, same 429),
// but counts synchronously: the library's middleware awaits its store, its key function and its options half a
// dozen times a request, and on the allocation path that was the largest single cost in front of the handler
// (bench/api-middleware). The library still derives the key (IPv6 clients share their /56).
import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ApiDeps } from './deps.js';

const WINDOW_MS = 60_000;

interface Client {
  hits: number;
  /** When this client's window ends (ms since the epoch). */
  resetAt: number;
}

/**
 * Hits per key in windows of `windowMs` that start at a key's first hit after its last window ended. Keys not seen
 * for a whole sweep interval are dropped in bulk: a sweep, made by the first hit at least `windowMs` after the one
 * before (no timer to own or clear), forgets the generation nobody touched since, so no sweep walks the keys.
 */
export class FixedWindowCounter {
  private previous = new Map<string, Client>();
  private current = new Map<string, Client>();
  private sweepAt = Number.NaN;

  constructor(private readonly windowMs: number) {}

  /** Counts one hit for `key` at `now`; the client's state after it (owned by the counter: read, do not keep). */
  hit(key: string, now: number): Readonly<Client> {
    if (Number.isNaN(this.sweepAt)) this.sweepAt = now + this.windowMs;
    else if (now >= this.sweepAt) {
      this.sweep();
      this.sweepAt = now + this.windowMs;
    }
    let client = this.current.get(key);
    if (client === undefined) {
      client = this.previous.get(key);
      if (client === undefined) client = { hits: 0, resetAt: now + this.windowMs };
      else this.previous.delete(key);
      this.current.set(key, client);
    }
    if (client.resetAt <= now) {
      client.hits = 0;
      client.resetAt = now + this.windowMs;
    }
    client.hits += 1;
    return client;
  }

  sweep(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

export function allocationRateLimit(deps: Pick<ApiDeps, 'security' | 'logger'>): RequestHandler {
  const limit = deps.security.allocateRateLimitPerMinute;
  if (limit <= 0) return (_req, _res, next) => next();
  const counter = new FixedWindowCounter(WINDOW_MS);
  const policy = `${limit};w=${Math.ceil(WINDOW_MS / 1000)}`;
  const refusal = { error: `more than ${limit} allocations a minute from this client`, code: 'rate_limited' };
  let warnedProxy = false;
  return (req, res, next) => {
    if (!warnedProxy && deps.security.trustProxy === undefined && req.headers['x-forwarded-for'] !== undefined) {
      warnedProxy = true;
      deps.logger.warn('requests come through a proxy but TRUST_PROXY is unset: every client behind it shares one allocation rate limit', {});
    }
    const now = Date.now();
    const client = counter.hit(ipKeyGenerator(req.ip ?? 'unknown'), now);
    const resetSeconds = Math.max(0, Math.ceil((client.resetAt - now) / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `limit=${limit}, remaining=${Math.max(limit - client.hits, 0)}, reset=${resetSeconds}`);
    if (client.hits <= limit) return next();
    res.setHeader('Retry-After', String(resetSeconds));
    res.status(429).json(refusal);
  };
}
