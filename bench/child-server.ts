// How a benchmark's baseline server runs as a child process: it listens on 127.0.0.1, prints {"port":N} once
// listening, and exits on SIGTERM or as soon as its parent (the benchmark) is gone, so none outlives a run.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function serveForBenchmark(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
  process.on('SIGTERM', () => process.exit(0));
}
