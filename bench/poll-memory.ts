// Heap kept per polled gameserver by the manager's HTTP client (HttpProber: node:http, one kept-alive connection
// per server), against a bare node:http keep-alive Agent doing the same polls, and against undici with one
// connection per origin (a Client per server: what the prober used before). At 10,000 servers this per-server
// cost is most of the poll worker's memory.
import { get, Agent as HttpAgent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { HttpProber } from '../src/manager/prober.js';
import { startNode } from '../test/support/processes.js';
import { waitFor } from '../test/support/wait.js';

/** A compiled script by its path from the repository root (the benchmarks run from dist/bench/). */
function built(path: string): string {
  return fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));
}

interface Servers {
  ports: number[];
  close(): Promise<void>;
}

/** The gameservers run in a child process: their side of every connection stays out of this heap. */
async function startServers(count: number): Promise<Servers> {
  const proc = startNode(built('bench/health-fleet-server.js'), {}, [String(count)]);
  try {
    const ports = await waitFor(() => {
      const line = proc.lines.find((l) => l.startsWith('{"ports"'));
      return line ? (JSON.parse(line) as { ports: number[] }).ports : null;
    }, { timeoutMs: 30_000, what: `${count} health servers listening` });
    return { ports, close: async () => void (await proc.stop(2000)) };
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
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
  // The last client's sockets close asynchronously after its close(): let them go before the heap is read.
  await new Promise((resolve) => setTimeout(resolve, 250));
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
  undiciClient: number;
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
    const undiciClient = (): { poll: PollOne; close(): Promise<void> } => {
      const agent = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
      return {
        poll: async (port) => {
          const res = await request(`http://127.0.0.1:${port}/health/`, { dispatcher: agent });
          await res.body.text();
        },
        close: () => agent.close(),
      };
    };
    // Alternate, measured twice each, keeping the smaller (garbage the gc left is noise, never a saving).
    const runs = { prober: [] as number[], nodeHttp: [] as number[], undiciClient: [] as number[] };
    for (let i = 0; i < 2; i++) {
      runs.prober.push(await bytesPerServer(fleet.ports, prober));
      runs.nodeHttp.push(await bytesPerServer(fleet.ports, nodeHttp));
      runs.undiciClient.push(await bytesPerServer(fleet.ports, undiciClient));
    }
    return { servers, prober: Math.min(...runs.prober), nodeHttp: Math.min(...runs.nodeHttp), undiciClient: Math.min(...runs.undiciClient) };
  } finally {
    await fleet.close();
  }
}
