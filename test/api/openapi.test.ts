// The published OpenAPI document: a real linter finds no errors, it names every route the app
// serves, and what a real manager answers on /api/servers validates against its schema.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { Manager } from '../../src/manager/manager.js';
import { createManager } from '../../src/manager/create-manager.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ADMIN_TOKEN, makeApp, makeSecurity } from './api-fakes.js';

const run = promisify(execFile);
type Doc = { paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; responses: Record<string, unknown> }>>; components: unknown };

async function fetchDoc(app: Express): Promise<Doc> {
  const res = await request(app).get('/openapi.json').expect(200);
  return JSON.parse(res.text) as Doc;
}

/** Every (method, path) express answers, in OpenAPI spelling: `:id` → `{id}`, no trailing slash. */
function expressRoutes(app: Express): Set<string> {
  const found = new Set<string>();
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          const path = p.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
          for (const method of Object.keys(layer.route.methods)) found.add(`${method} ${path}`);
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

const managers: Manager[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('GET /openapi.json', () => {
  it('passes @redocly/cli lint (recommended rules) with zero errors', async () => {
    const { app } = makeApp();
    const doc = await fetchDoc(app);
    const dir = await mkdtemp(join(tmpdir(), 'arbiter-openapi-'));
    dirs.push(dir);
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const cli = join(process.cwd(), 'node_modules', '.bin', 'redocly');
    // lint exits 1 when it finds errors; the JSON report says which.
    const result = await run(cli, ['lint', file, '--format=json'], {
      cwd: dir,
      timeout: 120_000,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; severity: string; message: string }>;
    };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 180_000);

  it('documents every route the app serves, each with an operationId, security and an error answer', async () => {
    const { app } = makeApp();
    const doc = await fetchDoc(app);
    const documented = new Set<string>();
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method} ${path}`);
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId as string), `duplicate ${op.operationId}`).toBe(false);
        ids.add(op.operationId as string);
        expect(Array.isArray(op.security), `${method} ${path} security`).toBe(true);
        if ((op.security as unknown[]).length > 0) {
          expect(Object.keys(op.responses), `${method} ${path} token errors`).toEqual(expect.arrayContaining(['401', '403']));
        }
      }
    }
    expect([...expressRoutes(app)].sort()).toEqual([...documented].sort());
    for (const must of ['get /api/servers/{id}', 'get /openapi.json', 'get /', 'delete /api/servers/{id}']) expect(documented).toContain(must);
  });

  it('describes what a real manager returns from /api/servers and /api/servers/{id}', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    backend.add({ status: 'running' });
    backend.add({ status: 'running' });
    backend.add({ status: 'starting' });
    const config = makeManagerConfig({ scaling: { capacity: 2, maxServers: 3, upscaleMargin: 0, downscaleMargin: 100 } });
    const manager = createManager({ config, backend, prober: new FakeProber({ capacity: 2 }), clock, logger: createSilentLogger() });
    managers.push(manager);
    await manager.runTick();
    await manager.runPolls();
    const app = createApp({ manager, logger: createSilentLogger(), security: makeSecurity({ adminToken: ADMIN_TOKEN }), registry: manager.metrics.registry });
    await request(app).get('/available-server/?session=s1').expect(200);
    const first = manager.servers()[0];
    if (!first) throw new Error('no server');
    await request(app).post(`/api/servers/${encodeURIComponent(first.id)}/drain`).set('authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);

    const doc = await fetchDoc(app);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'arbiter', components: doc.components } as object);
    const validList = ajv.compile({ $ref: 'arbiter#/components/schemas/ServerList' });
    const validServer = ajv.compile({ $ref: 'arbiter#/components/schemas/Server' });

    const list = await request(app).get('/api/servers').expect(200);
    expect(list.body.servers.length).toBe(3);
    expect(validList(list.body), JSON.stringify(validList.errors)).toBe(true);
    const one = await request(app).get(`/api/servers/${encodeURIComponent(first.id)}`).expect(200);
    expect(validServer(one.body), JSON.stringify(validServer.errors)).toBe(true);

    // The check has teeth: a field the schema does not name, or a wrong state, fails it.
    expect(validServer({ ...one.body, extra: 1 })).toBe(false);
    expect(validServer({ ...one.body, state: 'sleeping' })).toBe(false);
  });
});
