// The EC2 package is loaded only when the backend first calls EC2 (src/aws/sdk.ts): a fleet on private awsvpc
// addresses never loads it; public addresses load it at their first lookup and resolve as before.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ec2Loaded } from '../../src/aws/sdk.js';
import type { EcsBackend } from '../../src/aws/ecs-backend.js';
import { startSim, type Sim } from '../../sim/index.js';
import { waitFor } from '../support/wait.js';
import { SimBackends, simEcsConfig } from './backend-contract-sim.js';

let sim: Sim;
let backends: SimBackends;
const savedEnv = { ...process.env };

beforeEach(async () => {
  sim = await startSim({ port: 0, launchLatencyMs: 40, stopLatencyMs: 20, throttling: false });
  backends = new SimBackends(sim);
  // The backend's own EC2 client finds the simulator through the SDK's chain, as in production.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: sim.url,
    AWS_ACCESS_KEY_ID: 'AKIASIMULATOR000000',
    AWS_SECRET_ACCESS_KEY: 'simulator-secret',
  });
});

afterEach(async () => {
  await backends?.close();
  await sim?.close();
  process.env = { ...savedEnv };
});

async function listedWithHosts(backend: EcsBackend, count: number) {
  return waitFor(
    async () => {
      const servers = (await backend.list()).filter((s) => s.status === 'running' && s.host !== null);
      return servers.length === count ? servers : null;
    },
    { what: `${count} running servers with hosts` },
  );
}

describe('the EC2 package loads on first use', () => {
  it('private awsvpc addresses: launch, list and stop never load it; public addresses then do and resolve', async () => {
    const privateBackend = backends.make({ ecs: simEcsConfig({ address: 'private', pollAddress: 'private' }), ec2Client: undefined });
    const { launched } = await privateBackend.launch(2);
    const servers = await listedWithHosts(privateBackend, 2);
    for (const s of servers) expect(s.host).toBe(sim.admin.task(s.id).address);
    await privateBackend.stop(launched[0]!.id, 'test');
    expect(ec2Loaded()).toBe(false);

    const publicBackend = backends.make({ ecs: simEcsConfig({ address: 'public' }), ec2Client: undefined });
    const publicServers = await listedWithHosts(publicBackend, 1);
    expect(ec2Loaded()).toBe(true);
    // The simulator gives an ENI the same address in both roles; that the lookup answered is what shows here.
    expect(publicServers[0]!.host).toBe(sim.admin.task(publicServers[0]!.id).address);
  });
});
