// "No child outlives the manager", even when the manager is SIGKILLed and none of its own cleanup runs: the
// gameservers here are LOCAL_GAMESERVER_COMMAND processes that ignore their stdin, so only the reaper stops them.
import { afterAll, describe, expect, it } from 'vitest';
import { serverStates, startLocalManager } from '../support/local-manager.js';
import { childProcesses, isRunning, liveGroupMembers, stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const GAMESERVER = 'dist/src/gameserver/main.js';
let pgids: number[] = [];

afterAll(async () => {
  await stopAll();
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

describe('local mode after a SIGKILL of the manager', () => {
  it('leaves no gameserver behind', async () => {
    const { proc: manager, base } = await startLocalManager({
      MIN_SERVERS: '2',
      MAX_SERVERS: '3',
      SLEEP_TIME: '0.3',
      POLL_INTERVAL: '0.2',
      LOCAL_STOP_GRACE: '1',
      // no --exit-with-stdin: like Cerveau, these do not notice that the manager is gone
      LOCAL_GAMESERVER_COMMAND: `exec '${process.execPath}' ${GAMESERVER} --host {host} --game-port {gamePort} --web-port {webPort} --capacity {capacity} --session-seconds 60 --name {name}`,
    });
    const active = async () => (await serverStates(base)).filter((state) => state === 'active').length;
    await waitFor(async () => (await active()) >= 2, { timeoutMs: 20_000, what: 'two active gameservers' });

    const children = childProcesses(manager.pid);
    const gameservers = children.filter((c) => c.cmdline.includes('gameserver/main.js')).map((c) => c.pid);
    const reaper = children.find((c) => c.cmdline.includes('reaper-main.js'))?.pid;
    pgids = gameservers;
    expect(gameservers.length).toBeGreaterThanOrEqual(2);
    expect(reaper).toBeDefined();

    manager.child.kill('SIGKILL');
    await manager.exited;
    await waitFor(() => gameservers.every((pgid) => liveGroupMembers(pgid).length === 0), { timeoutMs: 10_000, what: 'every gameserver gone' });
    await waitFor(() => !isRunning(reaper!), { timeoutMs: 5_000, what: 'the reaper gone too' });
  });
});
