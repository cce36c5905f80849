// Heap kept per polled gameserver by the manager's HTTP client (HttpProber: one kept-alive connection per
// server), against node:http's keep-alive Agent doing the same polls, and against an undici Pool per server
// (what the prober used before: four connections allowed per origin). At 10,000 servers this per-server
// cost is most of the manager's memory.
import { createServer, get, Agent as HttpAgent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { HttpProber } from '../src/manager/prober.js';

const BODY = JSON.stringify({ available_capacity: 4, ready_to_close: false, max_capacity: 10, active_sessions: 6 });

async function startServers(count: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(BODY);
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  return {
    ports,
    close: async () => {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

function heapUsed(): number {
  const gc = globalThis.gc;
  if (typeof gc === 'function') {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

type PollOne = (port: number) => Promise<unknown>;

/** Heap growth per server after two polls of each (64 at a time), with the client and its connections alive. */
async function bytesPerServer(ports: readonly number[], make: () => { poll: PollOne; close(): Promise<void> }): Promise<number> {
  const before = heapUsed();
  const client = make();
  try {
    for (let round = 0; round < 2; round++) {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ports.length) await client.poll(ports[next++] as number);
      };
      await Promise.all(Array.from({ length: 64 }, worker));
    }
    return (heapUsed() - before) / ports.length;
  } finally {
    await client.close();
  }
}

export interface PollMemory {
  servers: number;
  prober: number;
  nodeHttp: number;
  undiciPool: number;
}

export async function pollMemory(servers: number): Promise<PollMemory> {
  const fleet = await startServers(servers);
  try {
    const prober = (): { poll: PollOne; close(): Promise<void> } => {
      const p = new HttpProber({ timeoutMs: 5_000 });
      return {
        poll: async (port) => {
          const r = await p.probe('127.0.0.1', port);
          if (!r.ok) throw new Error(`poll-memory: poll failed: ${r.error}`);
        },
        close: () => p.close(),
      };
    };
    const nodeHttp = (): { poll: PollOne; close(): Promise<void> } => {
      const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
      return {
        poll: (port) =>
          new Promise<void>((resolve, reject) => {
            get({ host: '127.0.0.1', port, path: '/health/', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve());
            }).on('error', reject);
          }),
        close: async () => agent.destroy(),
      };
    };
    const undiciPool = (): { poll: PollOne; close(): Promise<void> } => {
      const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
      return {
        poll: async (port) => {
          const res = await request(`http://127.0.0.1:${port}/health/`, { dispatcher: agent });
          await res.body.text();
        },
        close: () => agent.close(),
      };
    };
    // Alternate, measured twice each, keeping the smaller (garbage the gc left is noise, never a saving).
    const runs = { prober: [] as number[], nodeHttp: [] as number[], undiciPool: [] as number[] };
    for (let i = 0; i < 2; i++) {
      runs.prober.push(await bytesPerServer(fleet.ports, prober));
      runs.nodeHttp.push(await bytesPerServer(fleet.ports, nodeHttp));
      runs.undiciPool.push(await bytesPerServer(fleet.ports, undiciPool));
    }
    return { servers, prober: Math.min(...runs.prober), nodeHttp: Math.min(...runs.nodeHttp), undiciPool: Math.min(...runs.undiciPool) };
  } finally {
    await fleet.close();
  }
}
