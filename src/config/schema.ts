// The environment, validated once at startup (§6 of the design: the seed's .env keeps working).
import { z } from 'zod';
import { boolean, commaList, seconds, wholeNumber } from '../shared/env-values.js';

/** Defaults are output values in zod 4 (they skip the transform), so a default in seconds is given in ms. */
const sec = (s: number) => Math.round(s * 1000);

const hostPort = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.\-]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8888')
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'expected a port from 1 to 65535');

const token = z
  .string()
  .min(16, 'expected a token of at least 16 characters')
  // A token with surrounding whitespace could never match a bearer header (they are trimmed): refuse it.
  .refine((v) => v === v.trim(), 'must not start or end with whitespace');

const port = wholeNumber(0, 65535);

/**
 * Every variable, as a string before parsing. Each key is the canonical name; `ALIASES` maps
 * the seed's other spellings onto them. Defaults are strings so that one parser handles both.
 */
export const envSchema = z.object({
  // Process
  PORT: port.default(8000),
  HOST: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  // Seconds between 'fleet metrics' log lines (the deployment's CloudWatch alarms read them); 0 = none.
  METRICS_LOG_INTERVAL: seconds(0, 3600)
    .refine((ms) => ms === 0 || ms >= 1000, 'expected 0 (off) or from 1 to 3600 seconds')
    .default(0),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  ARBITER_BACKEND: z.enum(['local', 'ecs']).optional(),
  FLEET_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_\-]{1,36}$/, 'expected 1 to 36 letters, digits, - or _ (it becomes the ECS startedBy)')
    .default('arbiter'),

  // Scaling (§3.3)
  UPSCALE_MARGIN: wholeNumber(0, 100_000).default(4),
  DOWNSCALE_MARGIN: wholeNumber(0, 100_000).default(18),
  GAMESERVER_CAPACITY: wholeNumber(1, 100_000).default(10),
  SLEEP_TIME: seconds(0.05, 3600).default(sec(10)),
  MIN_SERVERS: wholeNumber(0, 10_000).default(1),
  MIN_SERVERS_SCHEDULE: z.string().trim().optional(),
  SCHEDULE_TIMEZONE: z.string().trim().min(1).optional(),
  MAX_SERVERS: wholeNumber(1, 10_000).default(20),
  MAX_LAUNCH_PER_TICK: wholeNumber(1, 1000).default(10),
  ALLOCATION_STRATEGY: z.enum(['packed', 'spread']).default('packed'),
  RESERVATION_TTL: seconds(0.1, 3600).default(sec(30)),
  JOIN_GRACE: seconds(0, 3600).default(sec(3)),
  SCALE_IN_DELAY: seconds(0, 86_400).default(sec(60)),
  SCALING_MODE: z.enum(['margin', 'demand']).default('margin'),
  BACKUP_GAMESERVER: hostPort.optional(),
  BACKUP_GAMESERVER_WEB_PORT: wholeNumber(1, 65535).optional(),

  // Health (§3.1)
  POLL_INTERVAL: seconds(0.05, 600).default(sec(2)),
  HEALTH_TIMEOUT_MS: wholeNumber(10, 60_000).default(1500),
  FAIL_THRESHOLD: wholeNumber(1, 100).default(3),
  START_TIMEOUT: seconds(1, 3600).default(sec(180)),
  POLL_CONCURRENCY: wholeNumber(1, 1000).default(32),
  /** `on`: the health polls' HTTP work runs in a worker thread; `auto`: on in ECS mode (large fleets), off in local mode. */
  POLL_WORKER: z.enum(['auto', 'on', 'off']).default('auto'),
  RESYNC_INTERVAL: seconds(1, 86_400).default(sec(60)),

  // Gameserver ports (container ports for awsvpc, looked up in network bindings for bridge)
  GAMESERVER_GAME_PORT: wholeNumber(1, 65535).default(3000),
  GAMESERVER_WEB_PORT: wholeNumber(1, 65535).default(3080),
  GAMESERVER_HEALTH_PORT: wholeNumber(1, 65535).optional(),

  // Local mode
  LOCAL_GAMESERVER_COMMAND: z.string().trim().min(1).optional(),
  /** `cerveau`: each local gameserver is Cerveau (from CERVEAU_DIR) in arena mode behind a sidecar. */
  LOCAL_GAMESERVER: z.enum(['demo', 'cerveau']).default('demo'),
  CERVEAU_DIR: z.string().trim().min(1).optional(),
  CERVEAU_COMMAND: z.string().trim().min(1).optional(),
  LOCAL_GAMESERVER_ENV: z
    .string()
    .trim()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*([\s,]+[A-Za-z_][A-Za-z0-9_]*)*$/, 'expected variable names separated by commas, e.g. JAVA_HOME,GAME_DATA')
    .transform((v) => v.split(/[\s,]+/))
    .optional(),
  LOCAL_STOP_GRACE: seconds(0.05, 600).default(sec(5)),
  DEMO_SESSION_SECONDS: seconds(0.05, 86_400).default(sec(60)),

  // ECS mode
  // A region name (us-east-1, us-gov-west-1, cn-north-1): anything else makes every AWS call fail as UnknownError.
  AWS_REGION: z.string().trim().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'expected an AWS region name such as us-east-1').optional(),
  ECS_CLUSTER: z.string().trim().min(1).default('default'),
  GAMESERVER_TASK_DEFINITION: z.string().trim().min(1).optional(),
  GAMESERVER_CONTAINER_NAME: z.string().trim().min(1).optional(),
  ECS_LAUNCH_TYPE: z.enum(['FARGATE', 'EC2']).optional(),
  ECS_CAPACITY_PROVIDERS: commaList.optional(),
  ECS_NETWORK_MODE: z.enum(['awsvpc', 'bridge']).optional(),
  ECS_SUBNETS: commaList.optional(),
  ECS_SECURITY_GROUPS: commaList.optional(),
  ECS_ASSIGN_PUBLIC_IP: boolean.default(true),
  ECS_ADDRESS: z.enum(['public', 'private']).default('public'),
  ECS_POLL_ADDRESS: z.enum(['public', 'private']).default('private'),
  ECS_INSTANCE_LAUNCH_TEMPLATE: z.string().trim().min(1).optional(),
  ECS_READ_SHARE: wholeNumber(1, 90).default(25),

  // Security (admin and allocation tokens, heartbeats, browsers)
  ARBITER_ADMIN_TOKEN: token.optional(),
  ARBITER_ALLOCATE_TOKEN: token.optional(),
  ARBITER_READ_TOKEN: token.optional(),
  ARBITER_HEARTBEAT_TOKEN: token.optional(),
  ARBITER_SIDECAR_TOKEN: token.optional(),
  CORS_ORIGINS: commaList.default(['*']),
  ALLOCATE_RATE_LIMIT: wholeNumber(0, 1_000_000).default(600),
  TRUST_PROXY: z.string().trim().optional(),

  // Names and the nginx proxy config (GET /api/proxy/nginx)
  SERVER_NAMES: commaList
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'each name must be 1 to 31 lowercase letters, digits or -')
            // word-2, word-3… are the names past the end of the list
            .refine((w) => !/-\d+$/.test(w), 'a name must not end in -<number> (those name the servers past the end of the list)'),
        )
        .min(1)
        .max(1000)
        .refine((ws) => new Set(ws).size === ws.length, 'each name may appear once (its place in the list is its proxy port)'),
    )
    .optional(),
  PROXY_BASE_PORT: port.default(4000),
  PROXY_LISTEN_HOST: z
    .string()
    .trim()
    .regex(/^(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9.-]{1,253})$/, 'expected an IPv4 address or a host name')
    .default('0.0.0.0'),

  // The seed's variables that mean nothing here; accepted so that its .env loads.
  SECRET_KEY: z.string().optional(),
  DEBUG: z.string().optional(),
});

export type RawEnv = z.infer<typeof envSchema>;

/** The seed code's spellings (§6), mapped to the canonical names. */
export const ALIASES: Record<string, keyof RawEnv> = {
  SERVER_CAPACITY: 'GAMESERVER_CAPACITY',
  SERVER_TASK_DEFINITION: 'GAMESERVER_TASK_DEFINITION',
  THREAD_SLEEP_TIME: 'SLEEP_TIME',
};
