// Condition waits for tests that drive real processes: poll a predicate until a deadline, never sleep blindly.
import { connect, createServer, type Server } from 'node:net';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the error when the deadline passes. */
  what?: string;
}

/** Resolves with the first truthy value of `predicate`, or rejects when `timeoutMs` passes. */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError ? `; last error: ${(lastError as Error).message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function listenOn(port: number, host: string): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, host, () => resolve(server));
  });
}

const closeServer = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/**
 * A port P such that P and P + 1 were both free on `host` a moment ago, for code that puts a second listener on
 * the next port. Another test's socket often holds P + 1 when P alone is picked.
 */
export async function freePortPair(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = await listenOn(0, host);
    if (!first) continue;
    const address = first.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const second = port > 0 && port < 65535 ? await listenOn(port + 1, host) : null;
    await closeServer(first);
    if (second) {
      await closeServer(second);
      return port;
    }
  }
  throw new Error(`no two consecutive free ports on ${host} after 50 tries`);
}

/** True when nothing accepts a TCP connection on host:port (a closed listener), false when something does. */
export function connectionRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
