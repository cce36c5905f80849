// The manager in ECS mode as users run it: `node dist/sim/main.js`, then `node dist/src/main.js` with
// the SDK pointed at the simulator. Needs `npm run build`.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startNode, stopAll, type RunningProcess } from '../support/processes.js';
import { freePort, waitFor } from '../support/wait.js';

interface ServerView {
  id: string;
  state: string;
  host: string | null;
}
interface SimTask {
  id: string;
  arn: string;
  address: string | null;
  ports: { game: number | null; web: number | null };
  sessions: number;
  startedBy: string | null;
  desiredStatus: string;
  ec2InstanceId: string | null;
}
interface Allocation {
  available: string;
  server_id: string;
  backup: boolean;
}

const FLEET = 'e2e-ecs';
const dirs: string[] = [];

afterEach(async () => {
  await stopAll();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startSimProcess(extra: Record<string, string> = {}): Promise<{ proc: RunningProcess; url: string }> {
  const proc = startNode('dist/sim/main.js', {
    SIM_PORT: '0',
    SIM_LAUNCH_LATENCY_MS: '90',
    SIM_STOP_LATENCY_MS: '30',
    SIM_INSTANCE_JOIN_LATENCY_MS: '60',
    ...extra,
  });
  const listening = await waitFor(() => proc.events().find((e) => e['message'] === 'sim listening'), { what: 'sim listening line' });
  return { proc, url: String(listening['url']) };
}

function managerEnv(simUrl: string, port: number): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    AWS_ENDPOINT_URL_ECS: simUrl,
    AWS_ENDPOINT_URL_EC2: simUrl,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

async function simTasks(simUrl: string): Promise<SimTask[]> {
  const { body } = await getJson<{ tasks: SimTask[] }>(`${simUrl}/_sim/tasks`);
  return body.tasks.filter((t) => t.startedBy === FLEET && t.desiredStatus === 'RUNNING');
}

async function simPost(simUrl: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${simUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
}

async function activeServers(base: string): Promise<ServerView[]> {
  return (await getJson<{ servers: ServerView[] }>(`${base}/api/servers`)).body.servers.filter((s) => s.state === 'active');
}

/** An allocation answered by a gameserver (not the backup), with the address the sim gave its task. */
async function allocation(base: string): Promise<Allocation> {
  return waitFor(async () => {
    const { status, body } = await getJson<Allocation>(`${base}/available-server/`);
    return status === 200 && !body.backup ? body : null;
  }, { what: 'an allocation on a gameserver', timeoutMs: 20_000, intervalMs: 100 });
}

/** The seed README's .env: the test fixture when present, else the same values written to a temp dir. */
function seedEnvFile(): string {
  const fixture = join(REPO_ROOT, 'test/fixtures/seed.env');
  if (existsSync(fixture)) return fixture;
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-seed-'));
  dirs.push(dir);
  const file = join(dir, '.env');
  const lines = [
    'AWS_REGION=us-east-1',
    'SECRET_KEY=...',
    'DEBUG=False',
    'UPSCALE_MARGIN=4',
    'DOWNSCALE_MARGIN=18',
    'GAMESERVER_CAPACITY=10',
    'ECS_INSTANCE_LAUNCH_TEMPLATE=defaultECS',
    'GAMESERVER_TASK_DEFINITION=LaunchGameserver',
    'SLEEP_TIME=10',
    'BACKUP_GAMESERVER=127.0.0.1:8888',
    'AWS_REGION=',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('ECS mode against the simulator process', () => {
  it('serves sim gameservers, grows under sessions, and a restarted manager keeps the fleet without RunTask', async () => {
    const { url: simUrl } = await startSimProcess({ SIM_THROTTLING: 'true' });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ...managerEnv(simUrl, port),
      ENV_FILE: '/nonexistent',
      GAMESERVER_TASK_DEFINITION: 'LaunchGameserver',
      ECS_SUBNETS: 'subnet-sim',
      FLEET_ID: FLEET,
      SLEEP_TIME: '0.3',
      POLL_INTERVAL: '0.2',
      HEALTH_TIMEOUT_MS: '500',
      LOG_LEVEL: 'warn',
    };
    const first = startNode('dist/src/main.js', env);
    const a = await allocation(base);
    const [task] = await simTasks(simUrl);
    expect(a.available).toBe(`${task!.address}:3000`);
    expect(a.server_id).toBe(task!.arn);

    // Sessions fill the first server: 1 free < 4, so the fleet grows to two (11 free, stable).
    await simPost(simUrl, `/_sim/tasks/${task!.id}/gameserver`, { sessions: 9 });
    await waitFor(async () => (await activeServers(base)).length === 2, { what: 'two active servers', timeoutMs: 20_000 });
    const before = (await simTasks(simUrl)).map((t) => t.arn).sort();
    expect(before).toHaveLength(2);

    const exit = await first.stop();
    expect(exit.code).toBe(0);
    await simPost(simUrl, '/_sim/reset-counters', {});
    startNode('dist/src/main.js', env);
    await waitFor(async () => (await getJson<{ ready: boolean }>(`${base}/readyz`)).status === 200, { what: 'second manager ready', timeoutMs: 20_000 });
    await waitFor(async () => (await activeServers(base)).length === 2, { what: 'fleet rebuilt', timeoutMs: 20_000 });
    const again = await allocation(base);
    expect(before).toContain(again.server_id);
    expect((await simTasks(simUrl)).map((t) => t.arn).sort()).toEqual(before);
    const { body: counters } = await getJson<{ calls: Record<string, number>; throttled: Record<string, number> }>(`${simUrl}/_sim/calls`);
    expect(counters.calls['RunTask'] ?? 0).toBe(0);
    expect(counters.calls['ListTasks']).toBeGreaterThan(0);
    expect(Object.values(counters.throttled).reduce((x, n) => x + n, 0)).toBe(0);
  }, 50_000);

  it('never writes AWS credentials or tokens to its output, even at debug level and through AWS errors', async () => {
    const { url: simUrl } = await startSimProcess({ SIM_THROTTLING: 'true' });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const secrets = {
      AWS_ACCESS_KEY_ID: 'AKIAE2ESECRETKEYID42',
      AWS_SECRET_ACCESS_KEY: 'e2e-secret-access-key-wJalrXUtnFEMI-K7MDENG',
      AWS_SESSION_TOKEN: 'e2e-session-token-FQoGZXIvYXdzEJr',
      ARBITER_ADMIN_TOKEN: 'e2e-admin-token-0123456789abcdef',
      ARBITER_HEARTBEAT_TOKEN: 'e2e-heartbeat-token-0123456789ab',
    };
    const manager = startNode('dist/src/main.js', {
      ...managerEnv(simUrl, port),
      ...secrets,
      ENV_FILE: '/nonexistent',
      GAMESERVER_TASK_DEFINITION: 'LaunchGameserver',
      ECS_SUBNETS: 'subnet-sim',
      FLEET_ID: 'e2e-secrets',
      SLEEP_TIME: '0.3',
      POLL_INTERVAL: '0.2',
      // A steady tick makes no ECS call; the resync does, so it brings the injected AWS errors into the log.
      RESYNC_INTERVAL: '1',
      LOG_LEVEL: 'debug',
    });
    const a = await allocation(base);
    // Admin and heartbeat calls with right and wrong tokens, and AWS calls that fail.
    const admin = (token: string) => fetch(`${base}/api/servers/${encodeURIComponent(a.server_id)}/drain`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await admin(secrets.ARBITER_ADMIN_TOKEN)).status).toBe(200);
    expect((await admin(`${secrets.ARBITER_ADMIN_TOKEN}x`)).status).toBe(403);
    const heartbeat = await fetch(`${base}/api/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.ARBITER_HEARTBEAT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ server_id: a.server_id, available_capacity: 3, ready_to_close: false }),
    });
    expect(heartbeat.status).toBe(200);
    await simPost(simUrl, '/_sim/faults', { errorRate: 1 });
    await waitFor(() => manager.events().some((e) => e['level'] === 'warn' && String(e['message']).includes('observation incomplete')), { what: 'an AWS error logged', timeoutMs: 15_000 });
    await simPost(simUrl, '/_sim/faults', { errorRate: 0 });
    await manager.stop();
    const output = manager.lines.join('\n');
    expect(output.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries(secrets)) expect(output.includes(value), `${name} appeared in the output`).toBe(false);
  }, 50_000);

  it("the seed's .env, endpoints pointed at the sim, starts in EC2 launch-template mode and serves", async () => {
    // The seed registered LaunchGameserver for EC2 with bridge networking: the simulator's built-in one, so.
    const { url: simUrl } = await startSimProcess({ SIM_NETWORK_MODE: 'bridge' });
    const envFile = seedEnvFile();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const manager = startNode('dist/src/main.js', { ...managerEnv(simUrl, port), ENV_FILE: envFile, FLEET_ID: FLEET });
    const started = await waitFor(() => manager.events().find((e) => e['message'] === 'manager listening'), { what: 'manager listening' });
    expect(started).toMatchObject({ backend: 'ecs', upscaleMargin: 4, downscaleMargin: 18, capacity: 10, backup: '127.0.0.1:8888' });
    const first = await getJson<Allocation>(`${base}/available-server/`);
    expect(first.body).toMatchObject({ available: '127.0.0.1:8888', backup: true });
    const a = await allocation(base);
    const [task] = await simTasks(simUrl);
    expect(task?.ec2InstanceId).toMatch(/^i-/);
    expect(a.available).toBe(`${task!.address}:${task!.ports.game}`);
    const { body } = await getJson<{ instances: Array<{ instanceId: string; launchTemplateName: string; state: string }> }>(`${simUrl}/_sim/instances`);
    expect(body.instances.filter((i) => i.state === 'running')).toEqual([
      expect.objectContaining({ instanceId: task!.ec2InstanceId, launchTemplateName: 'defaultECS' }),
    ]);
  }, 50_000);
});
