// A baseline server for bench/scale, in its own process like the manager: `node dist/bench/floor-server.js
// express|raw BYTES` answers every GET with a JSON body of BYTES bytes, through a bare express 5 route or
// straight from node:http. Prints {"port":N} once listening; exits on SIGTERM or when its parent goes.
import { createServer, type RequestListener } from 'node:http';
import express from 'express';
import { serveForBenchmark } from './child-server.js';

const [kind, bytesArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
if ((kind !== 'express' && kind !== 'raw') || !Number.isInteger(bytes) || bytes < 2 || bytes > 65_536) {
  process.stderr.write('usage: floor-server.js express|raw BYTES (2..65536)\n');
  process.exit(2);
}
// A JSON string padded to the size of the manager's answer.
const body = `"${'x'.repeat(bytes - 2)}"`;
let handler: RequestListener;
if (kind === 'express') {
  const app = express();
  app.get('/available-server', (_req, res) => {
    res.type('application/json').send(body);
  });
  handler = app;
} else {
  const buffer = Buffer.from(body);
  handler = (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': buffer.length });
    res.end(buffer);
  };
}
serveForBenchmark(createServer(handler));
