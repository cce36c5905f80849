// GET /available-server/ and the seed's spellings: one call that answers with a server that has room.
import { Router, type Request, type Response } from 'express';
import { webPortFor } from '../../shared/gameserver-ports.js';
import { describeFirstIssue } from '../../shared/zod-errors.js';
import { z } from 'zod';
import type { Allocation } from '../../manager/manager.js';
import { requireToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import { sendJson } from '../json-answer.js';
import { allocationRateLimit } from '../rate-limit.js';
import { waitQuerySchema } from './demand-schemas.js';

const ALLOCATION_PATHS = ['/available-server', '/available-server/', '/available-gameserver', '/available-gameserver/'];
const LIST_PATHS = ['/available-server-list', '/available-server-list/', '/available-gameserver-list', '/available-gameserver-list/'];

/** `_` is the cache-buster browsers' libraries add; anything else unknown is a mistake worth reporting. */
export const allocationQuery = z
  .object({
    session: z
      .string()
      .regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'session must be 1 to 128 characters of letters, digits and _ . : @ -')
      .optional(),
    wait: waitQuerySchema.optional(),
    _: z.string().optional(),
  })
  .strict();

export function parseAllocationQuery(req: Request): { session: string | undefined; waitSeconds: number } {
  const query = req.query;
  // Most allocations carry no query, which the schema accepts as no session and no wait.
  if (isEmpty(query)) return { session: undefined, waitSeconds: 0 };
  const parsed = allocationQuery.safeParse(query);
  if (!parsed.success) {
    const message = describeFirstIssue(parsed.error, {
      whole: 'query',
      fallback: 'invalid',
      unknownKeys: (keys) => `unknown query parameter: ${keys.join(', ')} (allowed: session, wait)`,
    });
    throw new HttpError(400, 'invalid_query', message);
  }
  return { session: parsed.data.session, waitSeconds: parsed.data.wait ?? 0 };
}

function isEmpty(query: object): boolean {
  for (const _ in query) return false;
  return true;
}

export function allocationBody(allocation: Allocation, backupWebPort: number | undefined): { status: number; body: unknown } {
  switch (allocation.kind) {
    case 'server': {
      const { server } = allocation;
      return {
        status: 200,
        body: {
          available: `${server.host}:${server.ports.game}`,
          server_id: server.id,
          name: server.name,
          host: server.host,
          ports: { game: server.ports.game, web: server.ports.web },
          backup: false,
        },
      };
    }
    case 'backup':
      return {
        status: 200,
        body: {
          available: `${allocation.host}:${allocation.port}`,
          server_id: null,
          name: 'backup',
          host: allocation.host,
          ports: { game: allocation.port, web: backupWebPort ?? webPortFor(allocation.port) },
          backup: true,
        },
      };
    case 'none':
      return { status: 503, body: { error: `no gameserver has room: ${allocation.reason}`, code: 'no_capacity' } };
  }
}

export function allocationRouter(deps: ApiDeps): Router {
  const router = Router();
  const guard = requireToken({
    token: deps.security.allocateToken,
    what: 'allocation',
    whenUnset: 'open',
    variable: 'ARBITER_ALLOCATE_TOKEN',
  });
  const limiter = allocationRateLimit(deps);

  const answer = (req: Request, res: Response, allocation: Allocation): void => {
    const { status, body } = allocationBody(allocation, deps.backupWebPort);
    if (status === 503) res.set('Retry-After', '5');
    res.set('Cache-Control', 'no-store');
    sendJson(req, res, status, body);
  };

  // Synchronous unless the caller asked to wait: most allocations are answered without a promise per request.
  router.get(ALLOCATION_PATHS, limiter, guard, (req, res) => {
    const { session, waitSeconds } = parseAllocationQuery(req);
    if (waitSeconds > 0) return answerWhenSeated(req, res, session, waitSeconds);
    answer(req, res, deps.manager.allocate(session));
  });

  async function answerWhenSeated(req: Request, res: Response, session: string | undefined, waitSeconds: number): Promise<void> {
    // A caller that hangs up leaves the queue rather than taking a seat nobody will use.
    const gone = new AbortController();
    const onClose = (): void => {
      if (!res.writableEnded) gone.abort();
    };
    res.on('close', onClose);
    let allocation: Allocation;
    try {
      allocation = await deps.manager.allocateWaiting(session, waitSeconds * 1000, gone.signal);
    } finally {
      res.off('close', onClose);
    }
    // Nobody to answer (a seat handed out in that instant lapses with JOIN_GRACE like any unused reservation).
    if (gone.signal.aborted) return;
    answer(req, res, allocation);
  }

  router.get(LIST_PATHS, guard, (req, res) => {
    const extra = Object.keys(req.query).filter((k) => k !== '_');
    if (extra.length > 0) throw new HttpError(400, 'invalid_query', `unknown query parameter: ${extra.join(', ')}`);
    res.set('Cache-Control', 'no-store');
    res.json({ server_list: deps.manager.rotation() });
  });
  return router;
}
