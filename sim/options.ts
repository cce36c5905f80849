// Simulator options: defaults and validation, resolved once when the simulator starts.

export interface SimOptions {
  /** TCP port of the API endpoint; 0 picks a free one. */
  port?: number;
  host?: string;
  region?: string;
  accountId?: string;
  /** RunTask → RUNNING, walking PROVISIONING → PENDING → ACTIVATING → RUNNING in equal steps. */
  launchLatencyMs?: number;
  /** StopTask → STOPPED, walking DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED. */
  stopLatencyMs?: number;
  /** First two octets of task and instance addresses, e.g. '127.77'. Default: a 127.[10-250] that no other running simulator holds. */
  ipBase?: string;
  /** max_capacity of each simulated gameserver. */
  defaultCapacity?: number;
  /** Token-bucket throttling as in the ECS API reference; switchable later through the admin API. */
  throttling?: boolean;
  /** EC2 RunInstances → the instance is a registered container instance. */
  instanceJoinLatencyMs?: number;
  /**
   * Longest accepted RunTask `startedBy`. Current API docs say 128; older ones (and our fleet ids) say 36.
   */
  startedByMaxLength?: number;
  /** How long stopped tasks stay listed (ECS keeps them at least an hour). */
  stoppedTaskRetentionMs?: number;
  /** Logs one JSON line per API call to stderr when true. */
  verbose?: boolean;
  /**
   * Network mode of the built-in `LaunchGameserver` definition: awsvpc (Fargate, the default) or
   * bridge (EC2 instances, as the seed's .env with ECS_INSTANCE_LAUNCH_TEMPLATE expects).
   */
  taskNetworkMode?: 'awsvpc' | 'bridge';
  /**
   * Worker processes that host the gameserver listeners (0: this process). Each listener and each
   * connection to it is an open file, so 20,000 tasks need their listeners spread over several processes.
   */
  workers?: number;
}

export type ResolvedSimOptions = Required<SimOptions>;

export class SimOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimOptionsError';
  }
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new SimOptionsError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export function resolveSimOptions(options: SimOptions = {}): ResolvedSimOptions {
  const resolved: ResolvedSimOptions = {
    port: nonNegativeInt('port', options.port ?? 0),
    host: options.host ?? '127.0.0.1',
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    launchLatencyMs: nonNegativeInt('launchLatencyMs', options.launchLatencyMs ?? 2000),
    stopLatencyMs: nonNegativeInt('stopLatencyMs', options.stopLatencyMs ?? 500),
    ipBase: options.ipBase ?? '127.10',
    defaultCapacity: nonNegativeInt('defaultCapacity', options.defaultCapacity ?? 10),
    throttling: options.throttling ?? true,
    instanceJoinLatencyMs: nonNegativeInt('instanceJoinLatencyMs', options.instanceJoinLatencyMs ?? 1000),
    startedByMaxLength: nonNegativeInt('startedByMaxLength', options.startedByMaxLength ?? 128),
    stoppedTaskRetentionMs: nonNegativeInt('stoppedTaskRetentionMs', options.stoppedTaskRetentionMs ?? 3_600_000),
    verbose: options.verbose ?? false,
    taskNetworkMode: options.taskNetworkMode ?? 'awsvpc',
    workers: nonNegativeInt('workers', options.workers ?? 0),
  };
  if (resolved.workers > 64) throw new SimOptionsError(`workers must be at most 64, got ${resolved.workers}`);
  if (resolved.taskNetworkMode !== 'awsvpc' && resolved.taskNetworkMode !== 'bridge') {
    throw new SimOptionsError(`taskNetworkMode must be awsvpc or bridge, got '${String(resolved.taskNetworkMode)}'`);
  }
  if (resolved.port > 65535) throw new SimOptionsError(`port must be at most 65535, got ${resolved.port}`);
  if (!/^127\.(\d{1,3})$/.test(resolved.ipBase) || Number(resolved.ipBase.split('.')[1]) > 255) {
    throw new SimOptionsError(`ipBase must look like '127.N' with N in 0..255 (loopback only), got '${resolved.ipBase}'`);
  }
  if (!/^\d{12}$/.test(resolved.accountId)) {
    throw new SimOptionsError(`accountId must be 12 digits, got '${resolved.accountId}'`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(resolved.region)) {
    throw new SimOptionsError(`region must look like 'us-east-1', got '${resolved.region}'`);
  }
  return resolved;
}
