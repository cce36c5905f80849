// Typed HTTP client of the manager's allocation API (§3.2): what a match needs from the manager, and no more, so that
// running a match (run-match.ts) can depend on it without depending on the client that also runs matches.
import { z } from 'zod';
import { CERVEAU_WEB_PORT_OFFSET, webPortFor } from '../shared/gameserver-ports.js';
import { describeIssues } from '../shared/zod-errors.js';
import type { Allocation } from './types.js';

const allocationSchema = z.object({
  available: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"'),
  server_id: z.string().nullish(),
  name: z.string().nullish(),
  host: z.string().nullish(),
  ports: z.object({ game: z.number().int().positive(), web: z.number().int().positive() }).passthrough().nullish(),
  backup: z.boolean().optional(),
});

/** Cerveau's defaults put the web port 80 above the game port (3000 → 3080). */
export const LEGACY_WEB_PORT_OFFSET = CERVEAU_WEB_PORT_OFFSET;

export type ManagerErrorKind = 'unreachable' | 'no_server' | 'bad_response';

export class ManagerError extends Error {
  constructor(readonly kind: ManagerErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManagerError';
  }
}

/** The manager caps `?wait=` at this many seconds. */
export const MAX_WAIT_SECONDS = 60;

export interface ArbiterClientOptions {
  managerUrl: string;
  token?: string;
  requestTimeoutMs?: number;
  /**
   * `?wait=SECONDS` on every allocation: with no room, the manager holds the request until a seat frees or a server it
   * launched becomes active, instead of handing out the backup at once. 0 asks for today's answer at once. Default 30.
   */
  waitSeconds?: number;
}

/** `POST /api/demand`: "this many seats will be asked for soon", alive for `ttl` seconds unless refreshed. */
export interface DemandSignal {
  source: string;
  seats: number;
  ttl: number;
}

export interface ManagerClient {
  readonly managerUrl: string;
  allocate(request: { session: string; signal?: AbortSignal; waitSeconds?: number }): Promise<Allocation>;
  /** Tells the manager of seats that will be asked for soon (needs a heartbeat or admin token). */
  announceDemand(signal: DemandSignal, options?: { signal?: AbortSignal }): Promise<void>;
}

function checkWait(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_WAIT_SECONDS) {
    throw new RangeError(`${name} must be between 0 and ${MAX_WAIT_SECONDS} seconds, got ${value}`);
  }
  return value;
}

/** Turns the manager's JSON into an Allocation; exported for tests. */
export function parseAllocation(body: unknown): Allocation {
  const parsed = allocationSchema.safeParse(body);
  if (!parsed.success) {
    throw new ManagerError('bad_response', `the manager's answer is not an allocation: ${describeIssues(parsed.error, '').join('; ')}`);
  }
  const data = parsed.data;
  const cut = data.available.lastIndexOf(':');
  const availableHost = data.available.slice(0, cut);
  const availablePort = Number(data.available.slice(cut + 1));
  const game = data.ports?.game ?? availablePort;
  return {
    address: data.available,
    host: data.host ?? availableHost,
    ports: { game, web: data.ports?.web ?? webPortFor(game) },
    serverId: data.server_id ?? null,
    name: data.name ?? null,
    backup: data.backup ?? false,
  };
}

export function createManagerClient(options: ArbiterClientOptions): ManagerClient {
  let base: URL;
  try {
    base = new URL(options.managerUrl);
  } catch {
    throw new RangeError(`managerUrl is not a URL: ${options.managerUrl}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new RangeError(`managerUrl must be http(s), got ${options.managerUrl}`);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const defaultWait = checkWait('waitSeconds', options.waitSeconds ?? 30);
  const root = base.toString().endsWith('/') ? base : new URL(`${base.toString()}/`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  return {
    managerUrl: base.toString(),
    async allocate({ session, signal, waitSeconds }) {
      const wait = waitSeconds === undefined ? defaultWait : checkWait('waitSeconds', waitSeconds);
      const url = new URL('available-server/', root);
      url.searchParams.set('session', session);
      if (wait > 0) url.searchParams.set('wait', String(wait));
      let res: Response;
      let body: unknown;
      try {
        // the manager may hold a waiting request for `wait` seconds before it answers
        const signals = [AbortSignal.timeout(timeoutMs + wait * 1000), ...(signal ? [signal] : [])];
        res = await fetch(url, { headers, signal: AbortSignal.any(signals) });
        body = await res.json().catch(() => null);
      } catch (err) {
        throw new ManagerError('unreachable', `the manager at ${base.origin} did not answer: ${(err as Error).message}`, { cause: err });
      }
      const error = typeof (body as { error?: unknown } | null)?.error === 'string' ? (body as { error: string }).error : null;
      if (res.status === 503) throw new ManagerError('no_server', `the manager has no server with room${error ? `: ${error}` : ''}`);
      if (!res.ok) throw new ManagerError('unreachable', `the manager answered ${res.status}${error ? `: ${error}` : ''}`);
      return parseAllocation(body);
    },
    async announceDemand(demand, { signal } = {}) {
      const url = new URL('api/demand', root);
      let res: Response;
      let body: unknown;
      try {
        const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
        res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(demand),
          signal: AbortSignal.any(signals),
        });
        body = await res.json().catch(() => null);
      } catch (err) {
        throw new ManagerError('unreachable', `the manager at ${base.origin} did not answer: ${(err as Error).message}`, { cause: err });
      }
      if (!res.ok) {
        const error = typeof (body as { error?: unknown } | null)?.error === 'string' ? (body as { error: string }).error : null;
        throw new ManagerError(res.status >= 500 ? 'unreachable' : 'bad_response', `the manager refused the demand signal with ${res.status}${error ? `: ${error}` : ''}`);
      }
    },
  };
}
