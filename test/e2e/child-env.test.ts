// Children get an allow-listed environment: a gameserver of the real manager (local mode) and a runner's bot client
// never see the manager's tokens or AWS keys (read from /proc/PID/environ, as an attacker on the host would).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startClient, stopClient } from '../../src/runner/client-processes.js';
import { startLocalManager } from '../support/local-manager.js';
import { childProcesses, stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const SECRETS = {
  ARBITER_ADMIN_TOKEN: 'admin-token-0123456789abcdef',
  ARBITER_HEARTBEAT_TOKEN: 'heartbeat-token-0123456789ab',
  ARBITER_ALLOCATE_TOKEN: 'allocate-token-0123456789abc',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret-key-example',
};

/** A stand-in gameserver answering /health/ on argv[1]. No single quotes: it goes inside '…'. */
const TINY_SERVER = `require("http").createServer((q, s) => s.end(JSON.stringify({ available_capacity: 4, ready_to_close: false })))
  .listen(Number(process.argv[1]), "127.0.0.1")`;

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

afterAll(async () => {
  await stopAll();
}, 20_000);

describe('the environment of child processes', () => {
  it("a local gameserver gets PATH, HOME and LOCAL_GAMESERVER_ENV's names, not the manager's secrets", async () => {
    const { proc } = await startLocalManager({
      ...SECRETS,
      GAME_DATA: '/srv/game-data',
      UNLISTED: 'not for children',
      LOCAL_GAMESERVER_ENV: 'GAME_DATA',
      LOCAL_GAMESERVER_COMMAND: `exec '${process.execPath}' -e '${TINY_SERVER}' {webPort}`,
      MIN_SERVERS: '1',
      POLL_INTERVAL: '0.2',
    });
    try {
      const child = await waitFor(() => childProcesses(proc.pid).find((p) => p.cmdline.includes('createServer')), {
        timeoutMs: 15_000, what: 'a gameserver child',
      });
      const env = environOf(child.pid);
      expect(env.PATH).toBe(process.env.PATH ?? '/usr/bin:/bin');
      expect(env.GAME_DATA).toBe('/srv/game-data');
      for (const name of [...Object.keys(SECRETS), 'UNLISTED', 'LOCAL_GAMESERVER_COMMAND', 'PORT']) expect(env).not.toHaveProperty(name);
      expect(Object.values(env).join('\n')).not.toContain('token-0123');
    } finally {
      await proc.stop(10_000);
    }
  }, 40_000);

  it("a runner's bot client does not get ARBITER_TOKEN, only the allow-list and --pass-env names", async () => {
    const saved = { ...process.env };
    process.env.ARBITER_TOKEN = 'runner-token-0123456789abcdef';
    process.env.BOT_HOME = '/opt/bot';
    const logFile = join(mkdtempSync(join(tmpdir(), 'arbiter-child-env-')), 'client.log');
    const client = startClient({ index: 0, name: 'bot', command: 'exec sleep 30', logFile, passEnv: ['BOT_HOME'] });
    try {
      const pid = client.child.pid!;
      // After exec the shell's pid is sleep's: wait until the environment we read is the bot's own.
      await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'), { what: 'the bot running' });
      const env = environOf(pid);
      expect(env.BOT_HOME).toBe('/opt/bot');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env).not.toHaveProperty('ARBITER_TOKEN');
    } finally {
      process.env = saved;
      await stopClient(client, 1000);
    }
  });
});
