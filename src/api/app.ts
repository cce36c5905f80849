// The express application. createApp never listens: main.ts (or a test) decides where it runs.
import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { apiCors } from './cors.js';
import type { ApiDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { openApiDocument } from './openapi.js';
import { securityHeaders } from './security-headers.js';
import { allocationRouter } from './routes/allocation.js';
import { dashboardRouter } from './routes/dashboard.js';
import { demandRouter } from './routes/demand.js';
import { heartbeatRouter } from './routes/heartbeat.js';
import { opsRouter } from './routes/ops.js';
import { proxyRouter } from './routes/proxy.js';
import { serversRouter } from './routes/servers.js';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  applySettings(app, deps);
  for (const { handler } of commonMiddleware(deps)) app.use(handler);

  app.use(allocationRouter(deps));
  app.use(serversRouter(deps));
  app.use(heartbeatRouter(deps));
  app.use(demandRouter(deps));
  app.use(opsRouter(deps));
  app.use(proxyRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(dashboardRouter());

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/** express's settings: no x-powered-by, no ETag on API answers, the proxy hops to trust. */
export function applySettings(app: Express, deps: Pick<ApiDeps, 'security'>): void {
  app.disable('x-powered-by');
  app.set('etag', false);
  if (deps.security.trustProxy !== undefined) app.set('trust proxy', parseTrustProxy(deps.security.trustProxy));
}

/** What every request passes through before the routes, in order (bench/api-middleware measures each). */
export function commonMiddleware(deps: Pick<ApiDeps, 'security'>): Array<{ name: string; handler: RequestHandler }> {
  const origins = deps.security.corsOrigins;
  const json = express.json({ limit: '16kb' });
  return [
    {
      name: 'request id',
      handler: (_req, res, next) => {
        res.locals.requestId = randomUUID();
        next();
      },
    },
    // The manager is often reached over plain HTTP (local mode, a load balancer without a certificate):
    // upgrading the dashboard's script, style and fetches to https would leave the page empty.
    { name: 'security headers', handler: securityHeaders({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }) },
    { name: 'cors', handler: apiCors({ origin: origins.includes('*') ? '*' : origins, methods: ['GET', 'POST', 'DELETE'], exposedHeaders: ['Retry-After'] }) },
    // body-parser's own test for a body (type-is's hasBody), made before calling into it: most requests are GETs.
    { name: 'json body', handler: (req, res, next) => (mayHaveBody(req) ? json(req, res, next) : next()) },
  ];
}

function mayHaveBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
