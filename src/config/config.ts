// Turns the environment (plus an optional .env file) into one validated, typed Config.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { webPortFor } from '../shared/gameserver-ports.js';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { isValidTimezone, parseMinSchedule } from '../shared/min-schedule-syntax.js';
import type { z } from 'zod';
import { DEFAULT_NAME_WORDS } from '../shared/server-name-words.js';
import type { Config, EcsSettings } from './resolved-config.js';
import { ALIASES, envSchema, type RawEnv } from './schema.js';

export type { Config } from './resolved-config.js';

/** Raised when the environment is invalid; `problems` has one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads a .env file; a missing file is an empty one. Later lines win, as in dotenv. */
export function readEnvFile(path: string): Env {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`ENV_FILE: cannot read ${path}: ${(err as Error).message}`]);
  }
  const text = envFileText(path, bytes);
  const env: Env = parseDotenv(text);
  // The seed's .env repeats AWS_REGION, the second time blank: a later empty line must not erase a value.
  for (const line of text.split(/\r?\n/)) {
    for (const [key, value] of Object.entries(parseDotenv(line))) {
      if (value.trim() !== '' && (env[key] ?? '').trim() === '') env[key] = value;
    }
  }
  return env;
}

/**
 * A .env must be UTF-8 text. A UTF-16 or binary file would parse as no variables at all and, say, start local mode
 * where the user wrote an ECS configuration: refuse it instead.
 */
function envFileText(path: string, bytes: Buffer): string {
  const refuse = (why: string) => new ConfigError([`ENV_FILE: ${path} is not a UTF-8 text file (${why}); save it as UTF-8`]);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw refuse('it starts with a UTF-16 byte-order mark');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse('it holds bytes that are not UTF-8');
  }
  if (text.includes('\0')) throw refuse('it holds NUL bytes');
  return text;
}

/** The process environment wins over the file, and canonical names win over aliases. */
export function mergeEnv(fileEnv: Env, processEnv: Env): Env {
  const merged: Env = { ...fileEnv, ...processEnv };
  for (const [alias, canonical] of Object.entries(ALIASES)) {
    if (blank(merged[canonical]) && !blank(merged[alias])) merged[canonical] = merged[alias];
  }
  return merged;
}

function blank(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

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
  const file = processEnv.ENV_FILE ?? '.env';
  return parseConfig(mergeEnv(readEnvFile(file), processEnv));
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

/** The margins and server counts against each other, for the variables present. */
function scalingRules(raw: Partial<RawEnv>): string[] {
  const problems: string[] = [];
  const { DOWNSCALE_MARGIN: down, UPSCALE_MARGIN: up, GAMESERVER_CAPACITY: capacity, MIN_SERVERS: min, MAX_SERVERS: max } = raw;
  if (down !== undefined && up !== undefined && capacity !== undefined && down - up <= capacity) {
    problems.push(
      `DOWNSCALE_MARGIN: must exceed UPSCALE_MARGIN by more than GAMESERVER_CAPACITY, or the fleet flaps ` +
        `(got DOWNSCALE_MARGIN=${down}, UPSCALE_MARGIN=${up}, GAMESERVER_CAPACITY=${capacity})`,
    );
  }
  if (min !== undefined && max !== undefined && min > max) {
    problems.push(`MIN_SERVERS: must not exceed MAX_SERVERS (got ${min} > ${max})`);
  }
  return problems;
}

/** Timings that cannot work together: a reservation must outlive the gap between polls, a start one poll (interval + timeout). */
function timingRules(raw: RawEnv): string[] {
  const problems: string[] = [];
  const poll = raw.POLL_INTERVAL + raw.HEALTH_TIMEOUT_MS;
  if (raw.RESERVATION_TTL < raw.POLL_INTERVAL) {
    problems.push(`RESERVATION_TTL: must outlive the gap between polls, POLL_INTERVAL = ${raw.POLL_INTERVAL / 1000} s (got ${raw.RESERVATION_TTL / 1000} s)`);
  }
  if (raw.JOIN_GRACE > raw.RESERVATION_TTL) {
    problems.push(`JOIN_GRACE: must not exceed RESERVATION_TTL (got ${raw.JOIN_GRACE / 1000} s > ${raw.RESERVATION_TTL / 1000} s)`);
  }
  if (raw.START_TIMEOUT < poll) {
    problems.push(`START_TIMEOUT: must leave room for a poll, POLL_INTERVAL + HEALTH_TIMEOUT_MS = ${poll / 1000} s (got ${raw.START_TIMEOUT / 1000} s)`);
  }
  return problems;
}

/** LOCAL_GAMESERVER=cerveau needs a Cerveau checkout to run (built, unless CERVEAU_COMMAND says how to start it). */
function cerveauRules(raw: RawEnv, backend: 'local' | 'ecs'): string[] {
  if (raw.LOCAL_GAMESERVER !== 'cerveau' || backend !== 'local') return [];
  if (raw.LOCAL_GAMESERVER_COMMAND) return ['LOCAL_GAMESERVER_COMMAND: cannot be combined with LOCAL_GAMESERVER=cerveau; set one of them'];
  if (!raw.CERVEAU_DIR) return ['CERVEAU_DIR: required with LOCAL_GAMESERVER=cerveau (a Cerveau checkout, built with npm run build)'];
  if (!existsSync(raw.CERVEAU_DIR) || !statSync(raw.CERVEAU_DIR).isDirectory()) return [`CERVEAU_DIR: ${raw.CERVEAU_DIR} is not a directory`];
  if (!raw.CERVEAU_COMMAND && !existsSync(join(raw.CERVEAU_DIR, 'dist', 'index.js'))) {
    return [`CERVEAU_DIR: ${raw.CERVEAU_DIR} has no dist/index.js; run npm install && npm run build there, or set CERVEAU_COMMAND`];
  }
  return [];
}

function buildConfig(raw: RawEnv, opts: { noBackup: boolean }): Config {
  const problems = scalingRules(raw);
  const schedule = raw.MIN_SERVERS_SCHEDULE ? parseMinSchedule(raw.MIN_SERVERS_SCHEDULE) : { ok: true as const, rules: [] };
  if (!schedule.ok) problems.push(`MIN_SERVERS_SCHEDULE: ${schedule.error}`);
  if (raw.SCHEDULE_TIMEZONE && !isValidTimezone(raw.SCHEDULE_TIMEZONE)) {
    problems.push(`SCHEDULE_TIMEZONE: expected an IANA time zone such as Europe/Paris (got ${JSON.stringify(raw.SCHEDULE_TIMEZONE)})`);
  }
  const backend = raw.ARBITER_BACKEND ?? (raw.GAMESERVER_TASK_DEFINITION ? 'ecs' : 'local');
  const ecs = backend === 'ecs' ? buildEcs(raw, problems) : null;
  const capacityProviders = raw.ECS_CAPACITY_PROVIDERS;
  if (capacityProviders && raw.ECS_LAUNCH_TYPE) {
    problems.push('ECS_CAPACITY_PROVIDERS: cannot be combined with ECS_LAUNCH_TYPE; set one of them');
  }
  problems.push(...timingRules(raw));
  for (const rule of schedule.ok ? schedule.rules : []) {
    if (rule.minServers > raw.MAX_SERVERS) problems.push(`MIN_SERVERS_SCHEDULE: rule "${rule.cron}" asks for ${rule.minServers} servers, above MAX_SERVERS=${raw.MAX_SERVERS}`);
  }
  if (raw.TRUST_PROXY !== undefined && !/^(true|false|\d{1,3}|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/.test(raw.TRUST_PROXY)) {
    problems.push(`TRUST_PROXY: expected true, false, a hop count, or addresses/subnets/loopback separated by commas (got ${JSON.stringify(raw.TRUST_PROXY)})`);
  }
  problems.push(...cerveauRules(raw, backend));
  if (problems.length > 0) throw new ConfigError(problems);

  const backupDefault = backend === 'local' ? '127.0.0.1:8888' : undefined;
  const backup = opts.noBackup ? undefined : (raw.BACKUP_GAMESERVER ?? backupDefault);
  return {
    port: raw.PORT,
    // Local mode is a developer's machine: keep it off the network unless asked. A container needs every interface.
    host: raw.HOST ?? (backend === 'local' ? '127.0.0.1' : '0.0.0.0'),
    logLevel: raw.LOG_LEVEL,
    metricsLogIntervalMs: raw.METRICS_LOG_INTERVAL,
    ...(raw.LOG_FORMAT ? { logFormat: raw.LOG_FORMAT } : {}),
    backend,
    fleetId: raw.FLEET_ID,
    proxy: { words: raw.SERVER_NAMES ?? DEFAULT_NAME_WORDS, basePort: raw.PROXY_BASE_PORT, listenHost: raw.PROXY_LISTEN_HOST },
    scaling: {
      upscaleMargin: raw.UPSCALE_MARGIN,
      downscaleMargin: raw.DOWNSCALE_MARGIN,
      capacity: raw.GAMESERVER_CAPACITY,
      minServers: raw.MIN_SERVERS,
      minSchedule: schedule.ok ? schedule.rules : [],
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
    ecs,
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

function buildEcs(raw: RawEnv, problems: string[]): EcsSettings | null {
  if (!raw.GAMESERVER_TASK_DEFINITION) {
    problems.push('GAMESERVER_TASK_DEFINITION: required when ARBITER_BACKEND is ecs (alias SERVER_TASK_DEFINITION)');
    return null;
  }
  const capacityProviders: EcsSettings['capacityProviders'] = [];
  for (const item of raw.ECS_CAPACITY_PROVIDERS ?? []) {
    const [name, weight = '1', base = '0'] = item.split(':');
    if (!name || !/^\d+$/.test(weight) || !/^\d+$/.test(base)) {
      problems.push(`ECS_CAPACITY_PROVIDERS: expected name[:weight[:base]] items separated by commas (got ${JSON.stringify(item)})`);
      continue;
    }
    capacityProviders.push({ capacityProvider: name, weight: Number(weight), base: Number(base) });
  }
  // The seed's way: a launch template means EC2 instances, and EC2 tasks default to bridge networking.
  const launchType =
    capacityProviders.length > 0 ? undefined : (raw.ECS_LAUNCH_TYPE ?? (raw.ECS_INSTANCE_LAUNCH_TEMPLATE ? 'EC2' : 'FARGATE'));
  const networkMode = raw.ECS_NETWORK_MODE ?? (launchType === 'EC2' ? 'bridge' : 'awsvpc');
  if (launchType === 'FARGATE' && networkMode !== 'awsvpc') {
    problems.push('ECS_NETWORK_MODE: FARGATE tasks only support awsvpc');
  }
  if (networkMode === 'awsvpc' && (raw.ECS_SUBNETS ?? []).length === 0) {
    problems.push('ECS_SUBNETS: required for awsvpc networking (comma-separated subnet ids)');
  }
  if (raw.ECS_INSTANCE_LAUNCH_TEMPLATE && launchType !== 'EC2') {
    problems.push('ECS_INSTANCE_LAUNCH_TEMPLATE: only applies to the EC2 launch type');
  }
  return {
    region: raw.AWS_REGION,
    cluster: raw.ECS_CLUSTER,
    taskDefinition: raw.GAMESERVER_TASK_DEFINITION,
    containerName: raw.GAMESERVER_CONTAINER_NAME,
    launchType,
    capacityProviders,
    networkMode,
    subnets: raw.ECS_SUBNETS ?? [],
    securityGroups: raw.ECS_SECURITY_GROUPS ?? [],
    assignPublicIp: raw.ECS_ASSIGN_PUBLIC_IP,
    address: raw.ECS_ADDRESS,
    pollAddress: raw.ECS_POLL_ADDRESS,
    instanceLaunchTemplate: raw.ECS_INSTANCE_LAUNCH_TEMPLATE,
    readSharePercent: raw.ECS_READ_SHARE,
  };
}

/** Cerveau's convention: the web port is the game port + 80 (3000 → 3080). */
function withWebPort(hp: { host: string; port: number }, webPort: number | undefined): { host: string; port: number; webPort: number } {
  return { ...hp, webPort: webPort ?? webPortFor(hp.port) };
}

export function splitHostPort(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  return { host: value.slice(0, i), port: Number(value.slice(i + 1)) };
}

function redactIfSecret(name: string, value: string | undefined): string {
  return /TOKEN|SECRET|KEY/.test(name) ? '[redacted]' : (value ?? '');
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
