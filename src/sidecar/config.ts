// The sidecar's environment, validated once at start; every bad variable is named in the error.
import { z } from 'zod';
import { seconds, wholeNumber } from '../shared/env-values.js';
import { describeIssues } from '../shared/zod-errors.js';

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'expected an http:// URL, e.g. http://127.0.0.1:3080');

/** Defaults are strings so that one parser handles both defaults and the environment. */
export const sidecarEnvSchema = z.object({
  SIDECAR_PORT: wholeNumber(0, 65535).prefault('3090'),
  SIDECAR_HOST: z.string().trim().min(1, 'expected a host name or address').default('0.0.0.0'),
  CERVEAU_URL: httpUrl.default('http://127.0.0.1:3080'),
  MAX_SESSIONS: wholeNumber(1, 100_000).prefault('10'),
  SESSION_DEADLINE: seconds(1, 7 * 86_400).prefault('3700'),
  CRASH_GRACE: seconds(0.05, 86_400).prefault('30'),
  JOIN_DEADLINE: seconds(0.05, 86_400).prefault('120'),
  STATUS_POLL_INTERVAL: seconds(0.01, 600).prefault('2'),
  STATUS_TIMEOUT_MS: wholeNumber(10, 60_000).prefault('2000'),
  STATUS_CONCURRENCY: wholeNumber(1, 1000).prefault('8'),
  ARBITER_SIDECAR_TOKEN: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  CERVEAU_PROBE_INTERVAL: seconds(0.05, 600).prefault('2'),
  CERVEAU_PROBE_TIMEOUT_MS: wholeNumber(10, 60_000).prefault('2000'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export type SidecarEnv = z.output<typeof sidecarEnvSchema>;

export class SidecarConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid sidecar environment: ${problems.join('; ')}`);
    this.name = 'SidecarConfigError';
  }
}

/** Reads the sidecar's variables; empty strings count as unset. Throws SidecarConfigError naming each bad one. */
export function loadSidecarEnv(env: NodeJS.ProcessEnv = process.env): SidecarEnv {
  const input: Record<string, string> = {};
  for (const key of Object.keys(sidecarEnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  const parsed = sidecarEnvSchema.safeParse(input);
  if (!parsed.success) {
    throw new SidecarConfigError(describeIssues(parsed.error, ''));
  }
  return parsed.data;
}
