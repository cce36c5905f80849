// The per-client allocation rate limit (ALLOCATE_RATE_LIMIT a minute; 0 turns it off).
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { ApiDeps } from './deps.js';

export function allocationRateLimit(deps: Pick<ApiDeps, 'security' | 'logger'>): RequestHandler {
  const limit = deps.security.allocateRateLimitPerMinute;
  if (limit <= 0) return (_req, _res, next) => next();
  let warnedProxy = false;
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ error: `more than ${limit} allocations a minute from this client`, code: 'rate_limited' });
    },
    // The library would print a stack trace to stderr; the same finding goes to the JSON log, once.
    validate: { xForwardedForHeader: false },
    keyGenerator: (req) => {
      if (!warnedProxy && deps.security.trustProxy === undefined && req.get('x-forwarded-for') !== undefined) {
        warnedProxy = true;
        deps.logger.warn('requests come through a proxy but TRUST_PROXY is unset: every client behind it shares one allocation rate limit', {});
      }
      return ipKeyGenerator(req.ip ?? 'unknown');
    },
  });
}
