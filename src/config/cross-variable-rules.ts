// The rules between variables, each checked on its own so that one run lists every problem. Each returns
// the problems it finds, one line per problem, naming the variable to change.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isValidTimezone, parseMinSchedule, type MinServersRule } from '../shared/min-schedule-syntax.js';
import type { RawEnv } from './schema.js';

/** The margins and server counts against each other, for the variables present. */
export function scalingRules(raw: Partial<RawEnv>): string[] {
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

/** MIN_SERVERS_SCHEDULE compiled to rules, and SCHEDULE_TIMEZONE checked; the rules are [] when the text is bad. */
export function scheduleRules(raw: RawEnv): { rules: MinServersRule[]; problems: string[] } {
  const problems: string[] = [];
  const schedule = raw.MIN_SERVERS_SCHEDULE ? parseMinSchedule(raw.MIN_SERVERS_SCHEDULE) : { ok: true as const, rules: [] };
  if (!schedule.ok) problems.push(`MIN_SERVERS_SCHEDULE: ${schedule.error}`);
  if (raw.SCHEDULE_TIMEZONE && !isValidTimezone(raw.SCHEDULE_TIMEZONE)) {
    problems.push(`SCHEDULE_TIMEZONE: expected an IANA time zone such as Europe/Paris (got ${JSON.stringify(raw.SCHEDULE_TIMEZONE)})`);
  }
  return { rules: schedule.ok ? schedule.rules : [], problems };
}

/** No schedule rule may ask for more servers than MAX_SERVERS allows. */
export function scheduleLimitRules(rules: readonly MinServersRule[], maxServers: number): string[] {
  return rules
    .filter((rule) => rule.minServers > maxServers)
    .map((rule) => `MIN_SERVERS_SCHEDULE: rule "${rule.cron}" asks for ${rule.minServers} servers, above MAX_SERVERS=${maxServers}`);
}

/** Timings that cannot work together: a reservation must outlive the gap between polls, a start one poll (interval + timeout). */
export function timingRules(raw: RawEnv): string[] {
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

/** TRUST_PROXY takes what express's `trust proxy` takes as a string. */
export function trustProxyRules(raw: RawEnv): string[] {
  if (raw.TRUST_PROXY === undefined || /^(true|false|\d{1,3}|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/.test(raw.TRUST_PROXY)) return [];
  return [`TRUST_PROXY: expected true, false, a hop count, or addresses/subnets/loopback separated by commas (got ${JSON.stringify(raw.TRUST_PROXY)})`];
}

/** LOCAL_GAMESERVER=cerveau needs a Cerveau checkout to run (built, unless CERVEAU_COMMAND says how to start it). */
export function cerveauRules(raw: RawEnv, backend: 'local' | 'ecs'): string[] {
  if (raw.LOCAL_GAMESERVER !== 'cerveau' || backend !== 'local') return [];
  if (raw.LOCAL_GAMESERVER_COMMAND) return ['LOCAL_GAMESERVER_COMMAND: cannot be combined with LOCAL_GAMESERVER=cerveau; set one of them'];
  if (!raw.CERVEAU_DIR) return ['CERVEAU_DIR: required with LOCAL_GAMESERVER=cerveau (a Cerveau checkout, built with npm run build)'];
  if (!existsSync(raw.CERVEAU_DIR) || !statSync(raw.CERVEAU_DIR).isDirectory()) return [`CERVEAU_DIR: ${raw.CERVEAU_DIR} is not a directory`];
  if (!raw.CERVEAU_COMMAND && !existsSync(join(raw.CERVEAU_DIR, 'dist', 'index.js'))) {
    return [`CERVEAU_DIR: ${raw.CERVEAU_DIR} has no dist/index.js; run npm install && npm run build there, or set CERVEAU_COMMAND`];
  }
  return [];
}

/** A capacity-provider strategy and a launch type are two answers to one question (checked in either mode). */
export function launchStrategyRules(raw: RawEnv): string[] {
  if (!raw.ECS_CAPACITY_PROVIDERS || !raw.ECS_LAUNCH_TYPE) return [];
  return ['ECS_CAPACITY_PROVIDERS: cannot be combined with ECS_LAUNCH_TYPE; set one of them'];
}
