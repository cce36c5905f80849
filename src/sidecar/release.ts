// POST /release/:gameName/:session: the match runner gave up on a session (timeout, crash, interruption), so its seat
// is freed at once instead of at JOIN_DEADLINE. Only the manager's token or the session's own setup password may
// release it: anyone else could empty the count and let Cerveau take more games than it has room for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../shared/log.js';
import { bearerMatches, secretMatches } from './bearer.js';
import { readBody, sendJson } from './proxy.js';
import type { SessionTracker } from './session-tracker.js';

const RELEASE_BODY_LIMIT = 4096;
const releaseBody = z.object({ password: z.string().max(1000).optional() }).strict();

/** `{gameName, session}` for a /release/ path (first segment case-insensitive, ids as sent); null otherwise. */
export function releaseTarget(url: string | undefined): { gameName: string; session: string } | null {
  const raw = ((url ?? '/').split('?')[0] ?? '/').split('/').filter((s) => s !== '');
  if (raw.length !== 3 || raw[0]?.toLowerCase() !== 'release') return null;
  try {
    return { gameName: decodeURIComponent(raw[1] ?? ''), session: decodeURIComponent(raw[2] ?? '') };
  } catch {
    return null;
  }
}

export function isReleasePath(url: string | undefined): boolean {
  const first = ((url ?? '/').split('?')[0] ?? '/').split('/').find((s) => s !== '');
  return first?.toLowerCase() === 'release';
}

export interface ReleaseDeps {
  tracker: SessionTracker;
  /** ARBITER_SIDECAR_TOKEN, when set. */
  token: string | undefined;
  logger: Logger;
  health: () => object;
}

async function readPassword(req: IncomingMessage): Promise<{ ok: true; password: string | undefined } | { ok: false; error: string }> {
  const raw = await readBody(req, RELEASE_BODY_LIMIT).catch(() => null);
  if (raw === null) return { ok: false, error: `the body must be at most ${RELEASE_BODY_LIMIT} bytes` };
  if (raw.length === 0) return { ok: true, password: undefined };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, error: 'the body must be JSON: {"password": "..."}' };
  }
  const parsed = releaseBody.safeParse(json);
  return parsed.success ? { ok: true, password: parsed.data.password } : { ok: false, error: 'the body may hold only "password", a string' };
}

export async function handleRelease(req: IncomingMessage, res: ServerResponse, deps: ReleaseDeps): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'Use POST /release/:gameName/:session.' });
  const target = releaseTarget(req.url);
  if (!target) return sendJson(res, 404, { error: 'Use POST /release/:gameName/:session.' });
  const body = await readPassword(req);
  if (!body.ok) return sendJson(res, 400, { error: body.error });
  const { gameName, session } = target;
  if (!deps.tracker.has(gameName, session)) return sendJson(res, 404, { error: `No counted session ${gameName}/${session}.` });
  const expected = deps.tracker.passwordOf(gameName, session);
  const byToken = deps.token !== undefined && bearerMatches(req.headers.authorization, deps.token);
  const byPassword = expected !== undefined && body.password !== undefined && secretMatches(body.password, expected);
  // Neither a token nor a password to check: as open as /drain/ is without ARBITER_SIDECAR_TOKEN.
  const open = deps.token === undefined && expected === undefined;
  if (!byToken && !byPassword && !open) {
    deps.logger.warn('release refused without credentials', { gameName, gameSession: session });
    res.setHeader('www-authenticate', 'Bearer');
    return sendJson(res, 401, { error: "Releasing a session needs the manager's bearer token (ARBITER_SIDECAR_TOKEN) or the session's setup password." });
  }
  deps.tracker.release(gameName, session);
  return sendJson(res, 200, { released: { gameName, session }, ...deps.health() });
}
