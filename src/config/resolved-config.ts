// The shape the environment resolves to. Each section has the shape of the options its component reads
// (src/manager/options.ts, src/aws/ecs-options.ts, src/api/security-options.ts): config does not import them,
// and the typechecker checks the fit where src/main.ts passes a section in.
import type { MinServersRule } from '../shared/min-schedule-syntax.js';

export interface ScalingSettings {
  upscaleMargin: number;
  downscaleMargin: number;
  capacity: number;
  minServers: number;
  minSchedule: MinServersRule[];
  scheduleTimezone: string | undefined;
  maxServers: number;
  maxLaunchPerTick: number;
  sleepMs: number;
  strategy: 'packed' | 'spread';
  reservationTtlMs: number;
  joinGraceMs: number;
  scaleInDelayMs: number;
  mode: 'margin' | 'demand';
}

export interface HealthSettings {
  pollIntervalMs: number;
  timeoutMs: number;
  failThreshold: number;
  startTimeoutMs: number;
  concurrency: number;
  resyncIntervalMs: number;
  /** POLL_WORKER resolved: the polls' HTTP work runs in a worker thread. */
  pollWorker: boolean;
}

export interface EcsSettings {
  region: string | undefined;
  cluster: string;
  taskDefinition: string;
  containerName: string | undefined;
  /** Undefined when ECS_CAPACITY_PROVIDERS is used instead. */
  launchType: 'FARGATE' | 'EC2' | undefined;
  capacityProviders: Array<{ capacityProvider: string; weight: number; base: number }>;
  networkMode: 'awsvpc' | 'bridge';
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
  address: 'public' | 'private';
  pollAddress: 'public' | 'private';
  instanceLaunchTemplate: string | undefined;
  readSharePercent: number;
}

export interface LocalSettings {
  command: string | undefined;
  /** LOCAL_GAMESERVER=cerveau: each server is Cerveau (CERVEAU_COMMAND run in CERVEAU_DIR) behind a sidecar. */
  cerveau: { dir: string; command: string } | null;
  stopGraceMs: number;
  demoSessionMs: number;
  /** LOCAL_GAMESERVER_ENV: variables gameservers get besides the allow-list of src/shared/child-env.ts. */
  passEnv: string[];
}

export interface SecuritySettings {
  adminToken: string | undefined;
  allocateToken: string | undefined;
  readToken: string | undefined;
  heartbeatToken: string | undefined;
  sidecarToken: string | undefined;
  corsOrigins: string[];
  allocateRateLimitPerMinute: number;
  trustProxy: string | undefined;
}

/** What both modes share. */
export interface ConfigBase {
  port: number;
  host: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** METRICS_LOG_INTERVAL: how often the 'fleet metrics' line is written; 0 = never. */
  metricsLogIntervalMs: number;
  /** LOG_FORMAT; unset: pretty on a terminal, JSON lines otherwise. */
  logFormat?: 'json' | 'pretty';
  fleetId: string;
  /** Server names (prefix-word) and where the nginx proxy config listens. */
  proxy: { words: string[]; basePort: number; listenHost: string };
  scaling: ScalingSettings;
  health: HealthSettings;
  /** Where allocations go when no server has room; null means answer 503. */
  backup: { host: string; port: number; webPort: number } | null;
  ports: { game: number; web: number; health: number };
  /** The LOCAL_* variables, resolved in either mode; only local mode starts gameservers with them. */
  local: LocalSettings;
  security: SecuritySettings;
}

/** ECS mode: the fleet is tasks of GAMESERVER_TASK_DEFINITION. */
export interface EcsMode {
  backend: 'ecs';
  ecs: EcsSettings;
}

/** Local mode: the fleet is processes on this machine. */
export interface LocalMode {
  backend: 'local';
  ecs: null;
}

/** The backend is one fact: ECS mode always has its ECS settings, local mode never has any. */
export type Config = (ConfigBase & EcsMode) | (ConfigBase & LocalMode);
