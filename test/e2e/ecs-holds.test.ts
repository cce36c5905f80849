// ECS mode against the simulator process: an operator's drain survives a SIGKILL and restart, and a task a killed
// manager left tagged standby but never drained (SIGKILL between TagResource and /drain/) is drained and stopped.
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimClients } from '../../sim/sdk-clients.js';
import { startNode, stopAll, type RunningProcess } from '../support/processes.js';
import { freePort, waitFor } from '../support/wait.js';

const FLEET = 'e2e-holds';
const TOKEN = 'admin-token-for-holds-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface SimTask { id: string; arn: string; sessions: number; draining: boolean; tags: Record<string, string>; startedBy: string | null; desiredStatus: string }
interface ServerView { id: string; state: string; inRotation: boolean }

afterAll(async () => {
  await stopAll();
}, 20_000);

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers: auth, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

async function post(url: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

describe('operator holds in ECS mode', () => {
  it('survive SIGKILL and restart; a standby task left undrained is drained again and stopped', async () => {
    const sim = startNode('dist/sim/main.js', { SIM_PORT: '0', SIM_LAUNCH_LATENCY_MS: '60', SIM_STOP_LATENCY_MS: '30' });
    const listening = await waitFor(() => sim.events().find((e) => e['message'] === 'sim listening'), { what: 'sim listening' });
    const simUrl = String(listening['url']);
    const clients = createSimClients({ url: simUrl, options: { region: 'us-east-1' } as never });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      ENV_FILE: '/nonexistent', PORT: String(port), HOST: '127.0.0.1', AWS_ENDPOINT_URL_ECS: simUrl, AWS_ENDPOINT_URL_EC2: simUrl,
      AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', GAMESERVER_TASK_DEFINITION: 'LaunchGameserver',
      ECS_SUBNETS: 'subnet-sim', FLEET_ID: FLEET, MIN_SERVERS: '3', UPSCALE_MARGIN: '4', DOWNSCALE_MARGIN: '40', SLEEP_TIME: '0.2',
      POLL_INTERVAL: '0.1', HEALTH_TIMEOUT_MS: '500', RESYNC_INTERVAL: '1', ARBITER_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info',
    };
    const tasks = async (): Promise<SimTask[]> =>
      (await getJson<{ tasks: SimTask[] }>(`${simUrl}/_sim/tasks`)).body.tasks.filter((t) => t.startedBy === FLEET && t.desiredStatus === 'RUNNING');
    const servers = async (): Promise<ServerView[]> => (await getJson<{ servers: ServerView[] }>(`${base}/api/servers`)).body.servers;
    let manager: RunningProcess = startNode('dist/src/main.js', env);
    try {
      await waitFor(async () => (await servers().catch(() => [])).filter((s) => s.state === 'active').length === 3, { what: 'three active', timeoutMs: 20_000 });
      const [held, leftover] = await tasks();
      // Players on the held and the busy server keep them from being stopped as empty standby servers.
      await post(`${simUrl}/_sim/tasks/${held!.id}/gameserver`, { sessions: 2 });
      expect(await post(`${base}/api/servers/${encodeURIComponent(held!.arn)}/drain`, {}, auth)).toBe(200);
      await waitFor(async () => (await tasks()).find((t) => t.id === held!.id)?.tags['arbiter:held'] === 'true', { what: 'hold tagged' });
      manager.child.kill('SIGKILL');
      await manager.exited;

      // The state a manager killed between TagResource and POST /drain/ leaves behind.
      await clients.ecs.send(new TagResourceCommand({ resourceArn: leftover!.arn, tags: [{ key: 'arbiter:standby', value: 'true' }] }));
      expect((await tasks()).find((t) => t.id === leftover!.id)?.draining).toBe(false);

      manager = startNode('dist/src/main.js', env);
      // Drained again, then (empty and ready to close) stopped.
      await waitFor(async () => !(await tasks()).some((t) => t.id === leftover!.id), { what: 'the undrained standby task stopped', timeoutMs: 20_000 });
      expect(manager.events().some((e) => e['message'] === 'standby server not draining; draining again' && e['serverId'] === leftover!.arn)).toBe(true);

      // MIN_SERVERS counts the held server: one launch replaces the stopped task, so two are active.
      await waitFor(async () => (await servers()).filter((s) => s.state === 'active').length === 2, { what: 'two active', timeoutMs: 20_000 });
      // Demand rises: both active servers nearly full. The held one has room but stays out; the fleet launches instead.
      for (const t of await tasks()) if (t.id !== held!.id) await post(`${simUrl}/_sim/tasks/${t.id}/gameserver`, { sessions: 9 });
      await waitFor(async () => (await servers()).filter((s) => s.state === 'active').length >= 3, { what: 'a new server active', timeoutMs: 20_000 });
      const view = (await servers()).find((s) => s.id === held!.arn);
      expect(view).toMatchObject({ state: 'standby', inRotation: false });
      expect(manager.events().some((e) => e['message'] === 'server active' && e['serverId'] === held!.arn)).toBe(false);
    } finally {
      clients.destroy();
      await manager.stop(10_000);
      await sim.stop(5000);
    }
  }, 90_000);
});
