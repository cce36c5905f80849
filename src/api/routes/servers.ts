// Read-only fleet views, and the admin calls that change a server or the scaling loop.
import { Router } from 'express';
import type { AdminResult } from '../../manager/manager.js';
import { requireReadAccess, requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';

export function serversRouter(deps: ApiDeps): Router {
  const router = Router();
  const { manager } = deps;
  const read = requireReadAccess(deps.security);

  router.get(['/api/servers', '/api/servers/'], read, (_req, res) => {
    const servers = manager.servers();
    const status = manager.status();
    res.json({ servers, summary: { servers: servers.length, free: status.free, paused: status.paused } });
  });

  router.get(['/api/history', '/api/history/'], read, (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(manager.history());
  });

  router.get('/api/servers/:id', read, (req, res) => {
    const server = manager.server(req.params.id as string);
    if (!server) throw new HttpError(404, 'not_found', `no server with id ${req.params.id}`);
    res.json(server);
  });

  const admin = requireToken({
    token: deps.security.adminToken,
    what: 'the admin API',
    whenUnset: 'closed',
    variable: 'ARBITER_ADMIN_TOKEN',
  });
  const answer = (result: AdminResult, res: import('express').Response) => {
    if (!result.ok) throw new HttpError(result.code === 'not_found' ? 404 : 409, result.code, result.message);
    res.json(result.server);
  };
  router.post('/api/servers/:id/drain', admin, (req, res) => answer(manager.drain(req.params.id as string), res));
  router.post('/api/servers/:id/undrain', admin, (req, res) => answer(manager.undrain(req.params.id as string), res));
  router.delete('/api/servers/:id', admin, (req, res) => answer(manager.stopServer(req.params.id as string), res));
  router.post('/api/scaling/pause', admin, (_req, res) => {
    manager.setPaused(true);
    res.json({ paused: true });
  });
  router.post('/api/scaling/resume', admin, (_req, res) => {
    manager.setPaused(false);
    res.json({ paused: false });
  });
  return router;
}
