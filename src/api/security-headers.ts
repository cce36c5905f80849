// helmet's headers, worked out once at start instead of on every request. helmet's answer does not depend
// on the request (its options are fixed when the app is built), but it runs a dozen small middlewares per
// request to produce it; on the allocation path that was a measurable share of the time (issue 14).
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets with `options`, as name/value pairs, from one run over a recording response. */
export function helmetHeaders(options: HelmetOptions): Array<[string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let failure: unknown;
  let done = false;
  helmet(options)({ method: 'GET', url: '/', headers: {} } as never, recorder as never, (err?: unknown) => {
    failure = err;
    done = true;
  });
  // helmet is synchronous today; if a version ever is not, refuse to start rather than send no headers.
  if (!done || failure) throw new Error('helmet did not set its headers synchronously', { cause: failure });
  return [...headers];
}

/** A middleware that sets helmet's headers (for `options`) from the precomputed list. */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const headers = helmetHeaders(options);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
