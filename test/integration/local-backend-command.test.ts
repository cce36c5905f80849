// LocalBackend running LOCAL_GAMESERVER_COMMAND templates, and the backup gameserver.
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBackupGameserver, type BackupGameserverHandle } from '../../src/local/backup-gameserver.js';
import { fillTemplate } from '../../src/local/launch-plan.js';
import { LocalBackend } from '../../src/local/local-backend.js';
import type { BackendServer } from '../../src/manager/types.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { freePortPair, waitFor } from '../support/wait.js';

/** A stand-in gameserver: answers /health/ on argv[1] with capacity argv[2]. No single quotes: it goes inside '…'. */
const TINY_SERVER = `
  const http = require("http");
  const [port, capacity, stubborn] = process.argv.slice(1);
  if (stubborn === "stubborn") process.on("SIGTERM", () => console.log("ignoring SIGTERM"));
  http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ available_capacity: Number(capacity), ready_to_close: false }));
  }).listen(Number(port), "127.0.0.1", () => console.log("tiny server up"));`;

const node = `'${process.execPath}'`;
const backends: LocalBackend[] = [];
const handles: BackupGameserverHandle[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

function makeBackend(command: string, stopGraceMs = 2000): LocalBackend {
  const backend = new LocalBackend({ capacity: 4, sessionMs: 10_000, stopGraceMs, command, logger: createSilentLogger() });
  backends.push(backend);
  return backend;
}

async function health(server: BackendServer): Promise<unknown> {
  return (await fetch(`http://127.0.0.1:${server.ports!.health}/health/`)).json();
}

async function stoppedOf(backend: LocalBackend, id: string): Promise<BackendServer> {
  return waitFor(async () => (await backend.list()).find((s) => s.id === id && s.status === 'stopped'), { what: `${id} stopped` });
}

describe('LocalBackend with a command template', () => {
  it('fills every placeholder and leaves unknown ones alone', () => {
    const line = fillTemplate('gs --host {host} -g {gamePort} -w {webPort} -h {healthPort} -c {capacity} -n {name} {other}', {
      host: '127.0.0.1', gamePort: 1, webPort: 2, healthPort: 3, capacity: 4, name: 'gameserver-1', sessionSeconds: 5,
    });
    expect(line).toBe('gs --host 127.0.0.1 -g 1 -w 2 -h 3 -c 4 -n gameserver-1 {other}');
  });

  it('knows the ports up front and reaches the server through them', async () => {
    const backend = makeBackend(`exec ${node} -e '${TINY_SERVER}' {webPort} {capacity}`);
    const { launched, failures } = await backend.launch(2);
    expect(failures).toEqual([]);
    expect(launched.map((s) => s.status)).toEqual(['running', 'running']);
    const [a, b] = launched;
    expect(a!.ports!.game).not.toBe(a!.ports!.web);
    expect(a!.ports!.health).toBe(a!.ports!.web);
    expect(a!.ports!.web).not.toBe(b!.ports!.web);
    for (const server of launched) {
      expect(await waitFor(() => health(server), { what: 'tiny server health' })).toEqual({ available_capacity: 4, ready_to_close: false });
    }
  });

  it('gives a distinct health port when the template asks for one', async () => {
    const backend = makeBackend(`exec ${node} -e '${TINY_SERVER}' {healthPort} 1`);
    const { launched } = await backend.launch(1);
    const ports = launched[0]!.ports!;
    expect(new Set([ports.game, ports.web, ports.health]).size).toBe(3);
    await waitFor(() => health(launched[0]!), { what: 'health on the health port' });
  });

  it('stops what the shell started, not only the shell', async () => {
    const backend = makeBackend(`${node} -e '${TINY_SERVER}' {webPort} 2; echo never reached`);
    const { launched } = await backend.launch(1);
    const server = launched[0]!;
    await waitFor(() => health(server), { what: 'tiny server up' });
    await backend.stop(server.id, 'test stop');
    expect((await stoppedOf(backend, server.id)).stoppedReason).toMatch(/^test stop; /);
    await expect(fetch(`http://127.0.0.1:${server.ports!.web}/health/`)).rejects.toThrow();
  });

  it('kills a server that ignores SIGTERM once the grace period ends', async () => {
    const backend = makeBackend(`exec ${node} -e '${TINY_SERVER}' {webPort} 2 stubborn`, 200);
    const { launched } = await backend.launch(1);
    await waitFor(() => health(launched[0]!), { what: 'stubborn server up' });
    await backend.stop('local-1', 'scale in');
    expect((await stoppedOf(backend, 'local-1')).stoppedReason).toBe('scale in; killed by SIGKILL');
  });

  it('lists a command that fails at once as stopped with its exit code', async () => {
    const backend = makeBackend('exit 7');
    const { launched } = await backend.launch(1);
    expect(launched).toHaveLength(1);
    expect((await stoppedOf(backend, 'local-1')).stoppedReason).toBe('exited with code 7');
  });
});

describe('ensureBackupGameserver', () => {
  it('starts a demo gameserver on a free loopback port, with health on the next port', async () => {
    const port = await freePortPair();
    const handle = await ensureBackupGameserver(`127.0.0.1:${port}`, { capacity: 5 });
    handles.push(handle);
    expect(handle.started, handle.reason).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port + 1}/health/`);
    expect(await res.json()).toMatchObject({ available_capacity: 5 });

    const second = await ensureBackupGameserver(`localhost:${port}`);
    handles.push(second);
    expect(second.started).toBe(false);
    expect(second.reason).toMatch(/already listens .* answers \/health\//);
    expect(second.usable).toBe(true);
    await handle.close();
    await expect(fetch(`http://127.0.0.1:${port + 1}/health/`)).rejects.toThrow();
  });

  it('does not adopt a listener that does not answer /health/: the manager then runs without a backup', async () => {
    const port = await freePortPair();
    const { createServer } = await import('node:net');
    const { createServer: createHttpServer } = await import('node:http');
    // A TCP listener on the game port, and an HTTP server on the health port that answers something else.
    const tcp = createServer((socket) => socket.end());
    const web = createHttpServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => web.listen(port + 1, '127.0.0.1', resolve));
    try {
      const handle = await ensureBackupGameserver(`127.0.0.1:${port}`);
      handles.push(handle);
      expect(handle.started).toBe(false);
      expect(handle.usable).toBe(false);
      expect(handle.reason).toMatch(/invalid health answer/);
      web.close();
      await new Promise<void>((resolve) => web.once('close', resolve));
      const silent = await ensureBackupGameserver(`127.0.0.1:${port}`);
      handles.push(silent);
      expect(silent.usable).toBe(false);
      expect(silent.reason).toMatch(/does not answer/);
    } finally {
      tcp.close();
      web.close();
    }
  });

  it.each([
    { name: 'a remote address', address: '10.1.2.3:8888', reason: /not a loopback address/ },
    { name: 'a host name', address: 'example.com:8888', reason: /not a loopback address/ },
    { name: 'no port', address: '127.0.0.1', reason: /not host:port/ },
    { name: 'a port out of range', address: '127.0.0.1:70000', reason: /no valid port/ },
  ])('starts nothing for $name', async ({ address, reason }) => {
    const handle = await ensureBackupGameserver(address);
    handles.push(handle);
    expect(handle.started).toBe(false);
    expect(handle.reason).toMatch(reason);
  });
});
