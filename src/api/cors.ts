// CORS for the API. A simple request (every GET and POST the API answers) gets its headers from options resolved
// once at start, instead of the cors package rebuilding them per request; a preflight (OPTIONS) still goes to the
// cors package, which answers it. The headers and their order are the package's (test/unit/cors.test.ts compares).
import cors, { type CorsOptions } from 'cors';
import type { RequestHandler } from 'express';

export interface ApiCorsOptions {
  /** '*' for any origin, else the allowed origins, compared exactly. */
  origin: '*' | readonly string[];
  methods: readonly string[];
  exposedHeaders: readonly string[];
}

export function apiCors(options: ApiCorsOptions): RequestHandler {
  const { origin, methods, exposedHeaders } = options;
  const preflight = cors({ origin: origin === '*' ? '*' : [...origin], methods: [...methods], exposedHeaders: [...exposedHeaders] } satisfies CorsOptions);
  const exposed = exposedHeaders.join(',');
  if (origin === '*') {
    return (req, res, next) => {
      if (req.method === 'OPTIONS') return preflight(req, res, next);
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
      next();
    };
  }
  const allowed = new Set(origin);
  return (req, res, next) => {
    if (req.method === 'OPTIONS') return preflight(req, res, next);
    const requestOrigin = req.headers.origin;
    // An origin not on the list gets no allow-origin header; the answer varies by Origin either way.
    if (requestOrigin && allowed.has(requestOrigin)) res.setHeader('Access-Control-Allow-Origin', requestOrigin);
    res.vary('Origin');
    if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
    next();
  };
}
