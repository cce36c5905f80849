// A worker process of the simulator (SIM_WORKERS): hosts the gameserver listeners of the tasks it is
// given, so that no one process needs a file descriptor for every task. It exits when its parent goes.
import type { HostedTask } from './gameserver-host.js';
import { GameserverHost } from './gameserver-host.js';
import type { FromWorker, ToWorker } from './gameserver-wire.js';

const send = (m: FromWorker): void => {
  if (process.connected) process.send?.(m);
};
const tasks = new Map<string, HostedTask>();
const host = new GameserverHost((task) => send({ kind: 'state', taskId: task.id, gameserver: { ...task.gameserver } }));

async function handle(m: ToWorker): Promise<void> {
  switch (m.op) {
    case 'open': {
      const task: HostedTask = { id: m.taskId, gameserver: m.gameserver, listeners: [] };
      tasks.set(m.taskId, task);
      try {
        const ports = await host.open(task, m.endpoints);
        send({ kind: 'done', seq: m.seq, ports: [...ports] });
      } catch (err) {
        tasks.delete(m.taskId);
        const e = err as NodeJS.ErrnoException;
        send({ kind: 'done', seq: m.seq, error: { code: e.code ?? 'UNKNOWN', message: e.message } });
      }
      return;
    }
    case 'close': {
      const task = tasks.get(m.taskId);
      tasks.delete(m.taskId);
      if (task) await host.closeTask(task);
      send({ kind: 'done', seq: m.seq });
      return;
    }
    case 'sync': {
      const task = tasks.get(m.taskId);
      if (task) Object.assign(task.gameserver, m.gameserver);
      return;
    }
    case 'shutdown':
      await shutdown();
  }
}

let closing: Promise<void> | undefined;
function shutdown(): Promise<void> {
  closing ??= host.close().finally(() => process.exit(0));
  return closing;
}

process.on('message', (m: ToWorker) => {
  handle(m).catch((err: unknown) => {
    process.stderr.write(`${JSON.stringify({ message: 'sim worker request failed', error: (err as Error).message })}\n`);
  });
});
// The parent died or closed the channel: nothing may outlive the simulator.
process.on('disconnect', () => void shutdown());
send({ kind: 'ready' });
