// An HTTP proxy in front of the simulator that fails a share of ECS API calls the way AWS does:
// ThrottlingException (HTTP 400) and ServerException (HTTP 500). Admin calls (/_sim/) pass untouched.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxyOptions {
  target: string;
  throttleRate: number;
  serverErrorRate: number;
  /** Where each ECS call falls in [0, 1); the default spreads exact shares evenly over every 20 calls. */
  random?: () => number;
}

/** A deterministic stand-in for Math.random: 7 is coprime with 20, so every window of 20 calls gets each slot once. */
function evenSpread(): () => number {
  let n = 0;
  return () => ((n++ * 7) % 20) / 20 + 0.025;
}

export interface FaultProxy {
  url: string;
  counts: { ecsCalls: number; forwarded: number; throttled: number; serverErrors: number };
  /** Turns injection off or on (e.g. to let the fleet settle before the storm). */
  setEnabled(on: boolean): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = options.random ?? evenSpread();
  const counts = { ecsCalls: 0, forwarded: 0, throttled: 0, serverErrors: 0 };
  let enabled = true;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isEcs = typeof req.headers['x-amz-target'] === 'string';
      const roll = isEcs ? random() : 1;
      if (isEcs) counts.ecsCalls += 1;
      if (enabled && isEcs && roll < options.throttleRate) {
        counts.throttled += 1;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
        return;
      }
      if (enabled && isEcs && roll < options.throttleRate + options.serverErrorRate) {
        counts.serverErrors += 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ServerException', message: 'Service unavailable (injected)' }));
        return;
      }
      counts.forwarded += 1;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
      }
      const upstream = await fetch(`${options.target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const out = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(out);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'ServerException', message: (err as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setEnabled: (on) => {
      enabled = on;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
