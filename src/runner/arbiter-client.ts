// Typed client of the manager's allocation API (§3.2).
import { z } from 'zod';
import type { Allocation } from './types.js';
import type { MatchResult } from './types.js';
import { runMatch, type RunMatchOptions } from './run-match.js';

const allocationSchema = z.object({
  available: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected "host:port"'),
  server_id: z.string().nullish(),
  name: z.string().nullish(),
  host: z.string().nullish(),
  ports: z.object({ game: z.number().int().positive(), web: z.number().int().positive() }).passthrough().nullish(),
  backup: z.boolean().optional(),
});

/** Cerveau's defaults put the web port 80 above the game port (3000 → 3080). */
export const LEGACY_WEB_PORT_OFFSET = 80;

export type ManagerErrorKind = 'unreachable' | 'no_server' | 'bad_response';

export class ManagerError extends Error {
  constructor(readonly kind: ManagerErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManagerError';
  }
}

export interface ArbiterClientOptions {
  managerUrl: string;
  token?: string;
  requestTimeoutMs?: number;
}

export interface ArbiterClient {
  readonly managerUrl: string;
  allocate(request: { session: string; signal?: AbortSignal }): Promise<Allocation>;
  runMatch(options: Omit<RunMatchOptions, 'client'>): Promise<MatchResult>;
}

/** Turns the manager's JSON into an Allocation; exported for tests. */
export function parseAllocation(body: unknown): Allocation {
  const parsed = allocationSchema.safeParse(body);
  if (!parsed.success) {
    throw new ManagerError('bad_response', `the manager's answer is not an allocation: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const data = parsed.data;
  const cut = data.available.lastIndexOf(':');
  const availableHost = data.available.slice(0, cut);
  const availablePort = Number(data.available.slice(cut + 1));
  const game = data.ports?.game ?? availablePort;
  return {
    address: data.available,
    host: data.host ?? availableHost,
    ports: { game, web: data.ports?.web ?? game + LEGACY_WEB_PORT_OFFSET },
    serverId: data.server_id ?? null,
    name: data.name ?? null,
    backup: data.backup ?? false,
  };
}

export function createArbiterClient(options: ArbiterClientOptions): ArbiterClient {
  let base: URL;
  try {
    base = new URL(options.managerUrl);
  } catch {
    throw new RangeError(`managerUrl is not a URL: ${options.managerUrl}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new RangeError(`managerUrl must be http(s), got ${options.managerUrl}`);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  const client: ArbiterClient = {
    managerUrl: base.toString(),
    async allocate({ session, signal }) {
      const url = new URL('available-server/', base.toString().endsWith('/') ? base : `${base.toString()}/`);
      url.searchParams.set('session', session);
      let res: Response;
      let body: unknown;
      try {
        const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
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
    runMatch: (matchOptions) => runMatch({ ...matchOptions, client }),
  };
  return client;
}
