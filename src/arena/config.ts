// The arena worker's environment, checked once: a bad value stops the process with the variable's name.
import { z } from 'zod';
import { describeIssues } from '../shared/zod-errors.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const arenaEnvSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  ARBITER_URL: z.url().default('http://127.0.0.1:8000'),
  ARBITER_TOKEN: z.string().optional(),
  /** The manager's heartbeat (or admin) token: with it the worker announces its queue as demand (POST /api/demand). */
  ARBITER_HEARTBEAT_TOKEN: z.string().optional(),
  /** The demand source name; every worker of one queue should share it, so the queue is counted once. */
  ARENA_DEMAND_SOURCE: z.string().regex(/^[A-Za-z0-9_.:@-]{1,64}$/, 'must be 1 to 64 letters, digits or _ . : @ -').default('arena'),
  /** Seconds between demand refreshes; each signal lives for three of them. */
  ARENA_DEMAND_SECONDS: z.coerce.number().min(0.5).max(1200).default(5),
  ARENA_SCHEMA: z.enum(['arbiter', 'ophelia']).default('arbiter'),
  ARENA_PARALLEL: int(1, 64).default(2),
  /** Seconds for a whole match: setup, build, play, gamelog. pyrena's default is 300. */
  MATCH_TIMEOUT: int(5, 86_400).default(300),
  LEASE_SECONDS: int(3, 3600).default(30),
  MAX_ATTEMPTS: int(1, 100).default(3),
  LOG_STORE: z.string().min(1).default('file://./arena-logs'),
  GAME_NAME: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a game name like Chess').default('Chess'),
  ARENA_WORKER_ID: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
  ARENA_CACHE_DIR: z.string().min(1).default('./arena-cache'),
  /** Seconds between claim attempts when the queue is empty. */
  ARENA_POLL_SECONDS: z.coerce.number().min(0.05).max(60).default(1),
  /** SIGTERM: seconds running matches get to finish before their leases are given back. */
  ARENA_GRACE_SECONDS: int(0, 3600).default(30),
  ARENA_METRICS_PORT: int(0, 65535).optional(),
  CONTAINER_CPU: z.coerce.number().positive().max(64).default(0.5),
  CONTAINER_RAM: z.string().regex(/^\d+[kmg]?$/i, 'must be like 512m or 1g').default('1g'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export type ArenaConfig = z.infer<typeof arenaEnvSchema>;

export class ArenaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArenaConfigError';
  }
}

/** Parses the environment; the error lists every bad variable by name. */
export function loadArenaConfig(env: Record<string, string | undefined>): ArenaConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = arenaEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error, '(env)');
    throw new ArenaConfigError(`invalid arena configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}
