// GET /api/proxy/nginx: the nginx stream config for the fleet as it is now. It holds server
// addresses, so it is guarded like the address list (ARBITER_ALLOCATE_TOKEN when set).
import { Router } from 'express';
import { renderNginxStream } from '../../proxy/nginx.js';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';

export function proxyRouter(deps: ApiDeps): Router {
  const router = Router();
  const guard = requireToken({ token: deps.security.allocateToken, what: 'the proxy config', whenUnset: 'open', variable: 'ARBITER_ALLOCATE_TOKEN' });
  router.get(['/api/proxy/nginx', '/api/proxy/nginx/'], guard, (_req, res) => {
    const proxy = deps.proxy;
    if (!proxy) throw new HttpError(404, 'not_found', 'the proxy config is not configured in this process');
    const targets = deps.manager.servers().filter((v) => v.state !== 'stopping');
    const { config } = renderNginxStream(targets, { book: { prefix: proxy.prefix, words: proxy.words }, basePort: proxy.basePort, listenHost: proxy.listenHost });
    res.set('Cache-Control', 'no-store');
    res.type('text/plain').send(config);
  });
  return router;
}
