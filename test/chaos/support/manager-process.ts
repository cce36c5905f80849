// The real manager (`node dist/src/main.js`) in ECS mode against a simulator, for chaos tests.
import { startNode, type RunningProcess } from '../../support/processes.js';
import { freePort, waitFor } from '../../support/wait.js';

export interface ServerView {
  id: string;
  name: string;
  state: 'pending' | 'active' | 'standby' | 'stopping' | 'unhealthy';
  host: string | null;
  inRotation: boolean;
  capacity: { available: number; effective: number; max: number | null };
  activeSessions: number;
}

export interface ManagerProcess {
  proc: RunningProcess;
  base: string;
  startedAt: number;
  json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  servers(): Promise<ServerView[]>;
  ready(): Promise<boolean>;
}

/** Environment for ECS mode against the simulator at `endpoint` (the sim itself or a proxy in front of it). */
export function ecsEnv(endpoint: string, fleetId: string): Record<string, string> {
  return {
    ENV_FILE: '/nonexistent/.env',
    HOST: '127.0.0.1',
    ARBITER_BACKEND: 'ecs',
    FLEET_ID: fleetId,
    GAMESERVER_TASK_DEFINITION: 'LaunchGameserver',
    ECS_SUBNETS: 'subnet-0sim0000000000001',
    AWS_ENDPOINT_URL_ECS: endpoint,
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_ACCESS_KEY_ID: 'chaos',
    AWS_SECRET_ACCESS_KEY: 'chaos',
    AWS_REGION: 'us-east-1',
    ALLOCATE_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
  };
}

export async function startManager(env: Record<string, string>): Promise<ManagerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  const proc = startNode('dist/src/main.js', { ...env, PORT: String(port) });
  const json = async <T>(path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(3_000) });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    proc,
    base,
    startedAt,
    json,
    servers: async () => (await json<{ servers: ServerView[] }>('/api/servers')).body.servers,
    ready: async () => (await json('/readyz')).status === 200,
  };
}

/** Waits for /readyz, failing early with the process output if it exits. */
export async function waitReady(m: ManagerProcess, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    async () => {
      if (m.proc.child.exitCode !== null) throw new Error(`manager exited: ${m.proc.lines.slice(-5).join('\n')}`);
      return m.ready();
    },
    { timeoutMs, intervalMs: 25, what: 'manager ready' },
  );
}

/** SIGKILL, then wait until the process is gone. */
export async function killHard(m: ManagerProcess): Promise<void> {
  m.proc.child.kill('SIGKILL');
  await m.proc.exited;
  await m.proc.stop();
}
