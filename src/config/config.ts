// Turns the environment (plus an optional .env file) into one validated, typed Config: the file and its
// quirks in env-file.ts, each variable in schema.ts, the rules between variables in cross-variable-rules.ts,
// the ECS section in ecs-settings.ts. The shape it resolves to is resolved-config.ts.
import type { z } from 'zod';
import { webPortFor } from '../shared/gameserver-ports.js';
import { DEFAULT_NAME_WORDS } from '../shared/server-name-words.js';
import { ConfigError } from './config-error.js';
import {
  cerveauRules,
  launchStrategyRules,
  scalingRules,
  scheduleLimitRules,
  scheduleRules,
  timingRules,
  trustProxyRules,
} from './cross-variable-rules.js';
import { buildEcs } from './ecs-settings.js';
import { blank, readEnv, type Env } from './env-file.js';
import type { Config, EcsMode, LocalMode } from './resolved-config.js';
import { envSchema, type RawEnv } from './schema.js';

export { ConfigError } from './config-error.js';
export { mergeEnv, readEnvFile, type Env } from './env-file.js';
export type { Config } from './resolved-config.js';

export function parseConfig(env: Env): Config {
  // Empty values mean "unset", as in the seed's .env where optional values were left blank.
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (!blank(v)) input[key] = v as string;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const shown = input[name] === undefined ? '' : ` (got ${JSON.stringify(redactIfSecret(name, input[name]))})`;
      return `${name}: ${issue.message}${shown}`;
    });
    // So that one run lists every problem: the rules between variables that did parse.
    throw new ConfigError(dedupe([...problems, ...scalingRules(parseEach(input))]));
  }
  // BACKUP_GAMESERVER set but empty is a choice: no backup (allocation without room answers 503), not the default.
  return buildConfig(parsed.data, { noBackup: env.BACKUP_GAMESERVER !== undefined && blank(env.BACKUP_GAMESERVER) });
}

/** Loads `.env` (or ENV_FILE) and the process environment, then validates. */
export function loadConfig(processEnv: Env = process.env): Config {
  return parseConfig(readEnv(processEnv));
}

/** Each variable on its own; those that do not parse are left out. */
function parseEach(input: Record<string, string>): Partial<RawEnv> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(envSchema.shape)) {
    const result = (field as z.ZodType).safeParse(input[key]);
    if (result.success) out[key] = result.data;
  }
  return out as Partial<RawEnv>;
}

function buildConfig(raw: RawEnv, opts: { noBackup: boolean }): Config {
  const problems = scalingRules(raw);
  const schedule = scheduleRules(raw);
  problems.push(...schedule.problems);
  const backend = raw.ARBITER_BACKEND ?? (raw.GAMESERVER_TASK_DEFINITION ? 'ecs' : 'local');
  const mode = backendMode(backend, raw, problems);
  problems.push(...launchStrategyRules(raw));
  problems.push(...timingRules(raw));
  problems.push(...scheduleLimitRules(schedule.rules, raw.MAX_SERVERS));
  problems.push(...trustProxyRules(raw));
  problems.push(...cerveauRules(raw, backend));
  if (problems.length > 0 || mode === null) throw new ConfigError(problems);

  const backupDefault = backend === 'local' ? '127.0.0.1:8888' : undefined;
  const backup = opts.noBackup ? undefined : (raw.BACKUP_GAMESERVER ?? backupDefault);
  return {
    port: raw.PORT,
    // Local mode is a developer's machine: keep it off the network unless asked. A container needs every interface.
    host: raw.HOST ?? (backend === 'local' ? '127.0.0.1' : '0.0.0.0'),
    logLevel: raw.LOG_LEVEL,
    metricsLogIntervalMs: raw.METRICS_LOG_INTERVAL,
    ...(raw.LOG_FORMAT ? { logFormat: raw.LOG_FORMAT } : {}),
    fleetId: raw.FLEET_ID,
    proxy: { words: raw.SERVER_NAMES ?? DEFAULT_NAME_WORDS, basePort: raw.PROXY_BASE_PORT, listenHost: raw.PROXY_LISTEN_HOST },
    scaling: {
      upscaleMargin: raw.UPSCALE_MARGIN,
      downscaleMargin: raw.DOWNSCALE_MARGIN,
      capacity: raw.GAMESERVER_CAPACITY,
      minServers: raw.MIN_SERVERS,
      minSchedule: schedule.rules,
      scheduleTimezone: raw.SCHEDULE_TIMEZONE,
      maxServers: raw.MAX_SERVERS,
      maxLaunchPerTick: raw.MAX_LAUNCH_PER_TICK,
      sleepMs: raw.SLEEP_TIME,
      strategy: raw.ALLOCATION_STRATEGY,
      reservationTtlMs: raw.RESERVATION_TTL,
      joinGraceMs: raw.JOIN_GRACE,
      scaleInDelayMs: raw.SCALE_IN_DELAY,
      mode: raw.SCALING_MODE,
    },
    health: {
      pollIntervalMs: raw.POLL_INTERVAL,
      timeoutMs: raw.HEALTH_TIMEOUT_MS,
      failThreshold: raw.FAIL_THRESHOLD,
      startTimeoutMs: raw.START_TIMEOUT,
      concurrency: raw.POLL_CONCURRENCY,
      resyncIntervalMs: raw.RESYNC_INTERVAL,
      pollWorker: raw.POLL_WORKER === 'on' || (raw.POLL_WORKER === 'auto' && backend === 'ecs'),
    },
    backup: backup ? withWebPort(splitHostPort(backup), raw.BACKUP_GAMESERVER_WEB_PORT) : null,
    ports: {
      game: raw.GAMESERVER_GAME_PORT,
      web: raw.GAMESERVER_WEB_PORT,
      health: raw.GAMESERVER_HEALTH_PORT ?? raw.GAMESERVER_WEB_PORT,
    },
    local: {
      command: raw.LOCAL_GAMESERVER_COMMAND,
      cerveau: raw.LOCAL_GAMESERVER === 'cerveau' && raw.CERVEAU_DIR ? { dir: raw.CERVEAU_DIR, command: raw.CERVEAU_COMMAND ?? 'node dist/index.js' } : null,
      stopGraceMs: raw.LOCAL_STOP_GRACE,
      demoSessionMs: raw.DEMO_SESSION_SECONDS,
      passEnv: raw.LOCAL_GAMESERVER_ENV ?? [],
    },
    ...mode,
    security: {
      adminToken: raw.ARBITER_ADMIN_TOKEN,
      allocateToken: raw.ARBITER_ALLOCATE_TOKEN,
      readToken: raw.ARBITER_READ_TOKEN,
      heartbeatToken: raw.ARBITER_HEARTBEAT_TOKEN,
      sidecarToken: raw.ARBITER_SIDECAR_TOKEN,
      corsOrigins: raw.CORS_ORIGINS,
      allocateRateLimitPerMinute: raw.ALLOCATE_RATE_LIMIT,
      trustProxy: raw.TRUST_PROXY,
    },
  };
}

/** The backend and its settings; null (with the problems pushed) when ECS mode lacks what it needs. */
function backendMode(backend: 'local' | 'ecs', raw: RawEnv, problems: string[]): EcsMode | LocalMode | null {
  if (backend === 'local') return { backend, ecs: null };
  const ecs = buildEcs(raw, problems);
  return ecs === null ? null : { backend, ecs };
}

/** Cerveau's convention: the web port is the game port + 80 (3000 → 3080). */
function withWebPort(hp: { host: string; port: number }, webPort: number | undefined): { host: string; port: number; webPort: number } {
  return { ...hp, webPort: webPort ?? webPortFor(hp.port) };
}

function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  return { host: value.slice(0, i), port: Number(value.slice(i + 1)) };
}

function redactIfSecret(name: string, value: string | undefined): string {
  return /TOKEN|SECRET|KEY/.test(name) ? '[redacted]' : (value ?? '');
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
