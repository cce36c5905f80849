// Bearer-token checks, compared in constant time. A route whose token is not configured is off.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison leaks neither content nor length.
  return createHash('sha256').update(value).digest();
}

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

export interface TokenGuardOptions {
  token: string | undefined;
  /** What the token protects, for error messages. */
  what: string;
  /** When no token is configured: 'closed' refuses every request, 'open' lets every request through. */
  whenUnset: 'closed' | 'open';
  /** The variable that configures it, named in the error when the route is off. */
  variable: string;
}

export interface ReadGuardOptions {
  readToken?: string | undefined;
  adminToken: string | undefined;
  allocateToken: string | undefined;
}

/**
 * The read-only ops routes (server list, one server, dashboard data, metrics) reveal gameserver addresses, so they are
 * never more open than allocation: open only while neither ARBITER_READ_TOKEN nor ARBITER_ALLOCATE_TOKEN is set;
 * otherwise they take the read token or the admin token.
 */
export function requireReadAccess(options: ReadGuardOptions): RequestHandler {
  const accepted = [options.readToken, options.adminToken].filter((t): t is string => t !== undefined);
  const open = options.readToken === undefined && options.allocateToken === undefined;
  return (req, _res, next) => {
    if (open) return next();
    if (accepted.length === 0) {
      return next(new HttpError(403, 'disabled', 'the read-only API is closed while ARBITER_ALLOCATE_TOKEN is set: set ARBITER_READ_TOKEN or ARBITER_ADMIN_TOKEN'));
    }
    const given = bearer(req.get('authorization'));
    if (given === null) return next(new HttpError(401, 'unauthorized', 'the read-only API needs an Authorization: Bearer token (read or admin)'));
    // Every token is compared, so the time taken does not say which one matched.
    const matched = accepted.map((t) => tokenMatches(t, given)).some(Boolean);
    if (!matched) return next(new HttpError(403, 'forbidden', 'wrong token for the read-only API'));
    next();
  };
}

export function requireToken(options: TokenGuardOptions): RequestHandler {
  const { token, what, whenUnset, variable } = options;
  return (req, _res, next) => {
    if (token === undefined) {
      if (whenUnset === 'open') return next();
      return next(new HttpError(403, 'disabled', `${what} is disabled: set ${variable} to enable it`));
    }
    const given = bearer(req.get('authorization'));
    if (given === null) return next(new HttpError(401, 'unauthorized', `${what} needs an Authorization: Bearer token`));
    if (!tokenMatches(token, given)) return next(new HttpError(403, 'forbidden', `wrong token for ${what}`));
    next();
  };
}
