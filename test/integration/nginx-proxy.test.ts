// GET /api/proxy/nginx through a real nginx (Debian's nginx + libnginx-mod-stream, installed by .ci/run):
// `nginx -t` accepts the rendered file, and a TCP connection to a name's port reaches its gameserver.
// Without nginx on the machine these tests are skipped with a warning.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeManager, makeApp, makeServerView } from '../api/api-fakes.js';
import { freePort, waitFor } from '../support/wait.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const STREAM_MODULE = process.env.NGINX_STREAM_MODULE ?? '/usr/lib/nginx/modules/ngx_stream_module.so';
const runnable = existsSync(NGINX) && existsSync(STREAM_MODULE);
if (!runnable) console.warn(`nginx proxy tests skipped: no ${NGINX} with ${STREAM_MODULE} (apt-get install nginx libnginx-mod-stream)`);

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** A prefix directory with an nginx.conf that includes the rendered stream block. */
async function nginxDir(stream: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'arbiter-nginx-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'arbiter-stream.conf'), stream);
  await writeFile(
    join(dir, 'nginx.conf'),
    [`load_module ${STREAM_MODULE};`, `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')} info;`, 'worker_processes 1;', 'events {}', `include ${join(dir, 'arbiter-stream.conf')};`, ''].join('\n'),
  );
  return dir;
}

function proxyApp(views: ReturnType<typeof makeServerView>[], basePort: number) {
  const manager = new FakeManager();
  manager.views = views;
  return makeApp({ manager, deps: { proxy: { prefix: 'arbiter', words: ['alpha', 'bravo', 'charlie'], basePort, listenHost: '127.0.0.1' } } }).app;
}

describe.runIf(runnable)('nginx stream proxy config', () => {
  it('passes nginx -t, with a stable port per name and hostile names left out', async () => {
    const app = proxyApp(
      [
        makeServerView({ id: 'a', name: 'arbiter-charlie', address: '10.0.0.3:3000' }),
        makeServerView({ id: 'b', name: 'arbiter-alpha', address: '10.0.0.1:3000' }),
        makeServerView({ id: 'c', name: 'arbiter-bravo', address: null }),
        makeServerView({ id: 'd', name: 'x;\n}\nhttp { server { listen 80; } }', address: '10.0.0.9:3000' }),
        makeServerView({ id: 'e', name: 'arbiter-bravo-2', address: '10.0.0.5:3000;include /etc/passwd' }),
      ],
      14000,
    );
    const res = await request(app).get('/api/proxy/nginx').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(text).toContain('listen 127.0.0.1:14000;');
    expect(text).toContain('server 10.0.0.1:3000;');
    expect(text).toContain('listen 127.0.0.1:14002;');
    expect(text).toContain('server 10.0.0.3:3000;');
    expect(text).not.toContain('14001');
    expect(text).not.toContain('http {');
    expect(text).not.toContain('/etc/passwd');
    const dir = await nginxDir(text);
    const { stderr } = await run(NGINX, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { timeout: 20_000 });
    expect(stderr).toMatch(/syntax is ok/);
    expect(stderr).toMatch(/test is successful/);
  }, 30_000);

  it('carries a TCP connection through a real nginx to the gameserver behind a name', async () => {
    const game: Server = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => game.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => game.close(() => resolve())));
    const gamePort = (game.address() as { port: number }).port;

    const base = await freePort();
    const app = proxyApp([makeServerView({ id: 'a', name: 'arbiter-alpha', address: `127.0.0.1:${gamePort}` })], base);
    const res = await request(app).get('/api/proxy/nginx').expect(200);
    const dir = await nginxDir(res.text);
    const nginx: ChildProcess = spawn(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGQUIT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGKILL');
      await exited;
    });

    const echo = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const s = connect(base, '127.0.0.1');
        let got = '';
        s.setTimeout(2000, () => s.destroy(new Error('timeout')));
        s.on('connect', () => s.write('hello through nginx\n'));
        s.on('data', (d) => {
          got += d.toString();
          if (got.includes('\n')) s.end();
        });
        s.on('close', () => resolve(got));
        s.on('error', reject);
      });
    const answer = await waitFor(async () => {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      return (await echo().catch(() => '')) || null;
    }, { timeoutMs: 15_000, what: 'nginx proxying to the gameserver' });
    expect(answer).toBe('hello through nginx\n');
  }, 30_000);
});
