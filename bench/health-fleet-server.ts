// Gameservers' health endpoints for bench/poll-memory, in their own process so that their side of each connection is
// not in the heap being measured: `node dist/bench/health-fleet-server.js COUNT` listens on COUNT ports of 127.0.0.1,
// answers every request with a health body, prints {"ports":[...]} once listening, and exits on SIGTERM or when its
// parent goes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1 || count > 20_000) {
  process.stderr.write('usage: health-fleet-server.js COUNT (1..20000)\n');
  process.exit(2);
}
const body = Buffer.from(JSON.stringify({ available_capacity: 4, ready_to_close: false, max_capacity: 10, active_sessions: 6 }));
const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();
process.on('SIGTERM', () => process.exit(0));
