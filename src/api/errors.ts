// One error shape for every API failure: `{ "error": "<human reason>", "code": "<machine code>" }`.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../shared/log.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    // Once a response has started, express's own handler must close the connection.
    if (res.headersSent) return next(err);
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message, code: err.code });
      return;
    }
    // body-parser and friends set `status`/`type` on their errors: those are the client's fault.
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = e.type === 'entity.too.large' ? 'payload_too_large' : e.type === 'entity.parse.failed' ? 'invalid_json' : 'bad_request';
      res.status(status).json({ error: e.message ?? 'bad request', code });
      return;
    }
    const requestId = res.locals.requestId as string | undefined;
    logger.error('request failed', { requestId, method: req.method, path: req.path, error: e.message, stack: (err as Error).stack });
    res.status(500).json({ error: 'internal error', code: 'internal', requestId });
  };
}
