// Bad input never crashes the process: environment values give a Config or a ConfigError, any
// /health/ answer is a report or a failed poll, and any query or body gets a 2xx or a 4xx JSON error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { envSchema } from '../../src/config/schema.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { HttpProber } from '../../src/manager/prober.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';

const HEARTBEAT_TOKEN = 'heartbeat-token-0123456789abcdef';
const names = Object.keys(envSchema.shape);

describe('environment values', () => {
  it('any values give a Config or a ConfigError, nothing else', () => {
    const value = fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('', ' ', '-1', '0', '1e9', '0.001', 'true', 'ecs', 'FARGATE', 'NaN'));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names, 'SERVER_CAPACITY', 'THREAD_SLEEP_TIME'), value), (env) => {
        try {
          const config = parseConfig(env);
          expect(config.scaling.downscaleMargin - config.scaling.upscaleMargin).toBeGreaterThan(config.scaling.capacity);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('/health/ answers', () => {
  let server: Server;
  let port: number;
  let next: { status: number; body: string } = { status: 200, body: '{}' };
  const prober = new HttpProber({ timeoutMs: 500 });
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await prober.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('any status and body is a valid report or a failed poll', async () => {
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ available_capacity: fc.oneof(fc.integer(), fc.double(), fc.string()), ready_to_close: fc.oneof(fc.boolean(), fc.integer()) }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 200, max: 599 }), body, async (status, text) => {
        next = { status, body: text };
        const result = await prober.probe('127.0.0.1', port);
        if (result.ok) {
          expect(status).toBeLessThan(300);
          expect(Number.isInteger(result.report.availableCapacity) && result.report.availableCapacity >= 0).toBe(true);
          expect(typeof result.report.readyToClose).toBe('boolean');
        } else {
          expect(result.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('query strings and bodies', () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ status: 'running' });
    const manager = createManager({ config: makeManagerConfig(), backend, prober: new FakeProber(), clock, logger: createSilentLogger() });
    await manager.runTick();
    await manager.runPolls();
    const security = { adminToken: undefined, allocateToken: undefined, heartbeatToken: HEARTBEAT_TOKEN, corsOrigins: ['*'], allocateRateLimitPerMinute: 0, trustProxy: undefined };
    app = createApp({ manager, logger: createSilentLogger(), security, registry: new Registry() });
  });

  const answersWell = (res: request.Response) => {
    expect(res.status >= 200 && res.status < 500, `status ${res.status}`).toBe(true);
    if (res.status >= 400) expect(typeof (res.body as { error?: unknown }).error).toBe('string');
  };

  it('any query on the allocation and list routes', async () => {
    const route = fc.constantFrom('/available-server/', '/available-gameserver', '/available-server-list/', '/api/servers');
    await fc.assert(
      fc.asyncProperty(route, fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 300 }), fc.array(fc.string(), { maxLength: 3 }))), async (path, query) => {
        answersWell(await request(app).get(path).query(query));
      }),
      { numRuns: 150 },
    );
  });

  it('any heartbeat body', async () => {
    const body = fc.oneof(fc.json(), fc.record({ server_id: fc.oneof(fc.string(), fc.integer()), available_capacity: fc.anything(), ready_to_close: fc.anything() }).map((o) => JSON.stringify(o)));
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        answersWell(await request(app).post('/api/heartbeat').set('authorization', `Bearer ${HEARTBEAT_TOKEN}`).set('content-type', 'application/json').send(text));
      }),
      { numRuns: 150 },
    );
  });
});
