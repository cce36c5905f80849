// Probes for the process itself: liveness, readiness and Prometheus metrics.
import { Router } from 'express';
import { requireReadAccess } from '../auth.js';
import type { ApiDeps } from '../deps.js';

export function opsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    const status = deps.manager.status();
    res.status(status.live ? 200 : 503).json({ status: status.live ? 'ok' : 'stale', lastTickAt: status.lastTickAt });
  });
  router.get('/readyz', (_req, res) => {
    const status = deps.manager.status();
    res.status(status.ready ? 200 : 503).json({ ready: status.ready, servers: status.servers, free: status.free });
  });
  router.get('/metrics', requireReadAccess(deps.security), async (_req, res) => {
    res.set('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  return router;
}
