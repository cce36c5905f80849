// POST /api/heartbeat: a gameserver pushes the same fields as its /health/ answer.
import { Router } from 'express';
import { z } from 'zod';
import { parseHealthBody } from '../../manager/health-schema.js';
import { healthBodySchema } from '../../shared/gameserver-contract.js';
import { describeFirstIssue } from '../../shared/zod-errors.js';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';

export const heartbeatSchema = healthBodySchema.extend({ server_id: z.string().min(1).max(2048) });

export function heartbeatRouter(deps: ApiDeps): Router {
  const router = Router();
  const guard = requireToken({
    token: deps.security.heartbeatToken,
    what: 'heartbeats',
    whenUnset: 'closed',
    variable: 'ARBITER_HEARTBEAT_TOKEN',
  });
  router.post(['/api/heartbeat', '/api/heartbeat/'], guard, (req, res) => {
    const parsed = heartbeatSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new HttpError(400, 'invalid_body', describeFirstIssue(parsed.error, { whole: 'body', fallback: 'invalid' }));
    }
    const { server_id: id, ...health } = parsed.data;
    const report = parseHealthBody(health);
    if (!report.ok) throw new HttpError(400, 'invalid_body', report.error);
    if (!deps.manager.heartbeat(id, report.report)) throw new HttpError(404, 'not_found', `no server with id ${id}`);
    res.json({ ok: true });
  });
  return router;
}
