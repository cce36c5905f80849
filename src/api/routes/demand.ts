// POST /api/demand: a source (an arena's queue, a matchmaker's lobby) says how many seats will be asked for soon.
// GET /api/demand: the live signals and the headroom each demand term holds. Either token (heartbeat or admin).
import { Router, type RequestHandler } from 'express';
import { describeFirstIssue } from '../../shared/zod-errors.js';
import { tokenMatches } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { demandRequestSchema } from './demand-schemas.js';

const PATHS = ['/api/demand', '/api/demand/'];

function eitherToken(tokens: Array<string | undefined>): RequestHandler {
  const set = tokens.filter((t): t is string => t !== undefined);
  return (req, _res, next) => {
    if (set.length === 0) {
      return next(new HttpError(403, 'disabled', 'demand signals are disabled: set ARBITER_HEARTBEAT_TOKEN or ARBITER_ADMIN_TOKEN to enable them'));
    }
    const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization')?.trim() ?? '');
    const given = match?.[1];
    if (given === undefined) return next(new HttpError(401, 'unauthorized', 'demand signals need an Authorization: Bearer token'));
    // Compare against every token so that the time taken does not say which one matched.
    let ok = false;
    for (const t of set) ok = tokenMatches(t, given) || ok;
    if (!ok) return next(new HttpError(403, 'forbidden', 'wrong token for demand signals'));
    next();
  };
}

export function demandRouter(deps: ApiDeps): Router {
  const router = Router();
  const guard = eitherToken([deps.security.heartbeatToken, deps.security.adminToken]);
  router.post(PATHS, guard, (req, res) => {
    const parsed = demandRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const message = describeFirstIssue(parsed.error, {
        whole: 'body',
        fallback: 'invalid',
        unknownKeys: (keys) => `unknown field: ${keys.join(', ')} (allowed: source, seats, ttl)`,
      });
      throw new HttpError(400, 'invalid_body', message);
    }
    const { source, seats, ttl } = parsed.data;
    const result = deps.manager.setDemand(source, seats, Math.round(ttl * 1000));
    if (!result.ok) throw new HttpError(429, 'too_many_sources', result.reason);
    const view = deps.manager.demandView();
    res.json({
      source,
      seats: result.signal.seats,
      expiresAt: new Date(result.signal.expiresAt).toISOString(),
      totalSeats: view.signals.reduce((n, s) => n + s.seats, 0),
    });
  });
  router.get(PATHS, guard, (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(deps.manager.demandView());
  });
  return router;
}
