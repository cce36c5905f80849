// SIM_WORKERS: the simulator's gameserver listeners spread over worker processes. A listener and each
// connection to it cost a file descriptor; 20,000 tasks (two listeners each) plus a manager's keep-alive
// connections exceed the 20,000 open files one process may have, so each worker takes a share of the tasks.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Endpoint, GameserverHosting, HostedTask } from './gameserver-host.js';
import type { FromWorker, ToWorker } from './gameserver-wire.js';

const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5_000;

/** dist/sim/gameserver-worker.js, found from the build or from the TypeScript sources vitest runs. */
export function workerScript(): string {
  const candidates = [new URL('./gameserver-worker.js', import.meta.url), new URL('../dist/sim/gameserver-worker.js', import.meta.url)];
  const paths = candidates.map((url) => fileURLToPath(url));
  return paths.find((path) => existsSync(path)) ?? paths[paths.length - 1]!;
}

interface Pending {
  resolve(m: Extract<FromWorker, { kind: 'done' }>): void;
  reject(err: Error): void;
}

class Worker {
  readonly pending = new Map<number, Pending>();
  tasks = 0;
  readonly exited: Promise<void>;
  alive = true;

  constructor(
    readonly child: ChildProcess,
    onState: (m: Extract<FromWorker, { kind: 'state' }>) => void,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: FromWorker) => {
      if (m.kind === 'done') {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        p?.resolve(m);
      } else if (m.kind === 'state') onState(m);
    });
    void this.exited.then(() => {
      this.alive = false;
      for (const p of this.pending.values()) p.reject(Object.assign(new Error('sim worker exited'), { code: 'EWORKER' }));
      this.pending.clear();
    });
  }

  send(m: ToWorker): void {
    if (this.alive && this.child.connected) this.child.send(m);
  }
}

export class WorkerHosting implements GameserverHosting {
  private readonly placed = new Map<string, { task: HostedTask; worker: Worker }>();
  private seq = 0;
  private closing: Promise<void> | undefined;

  private constructor(private readonly workers: Worker[]) {}

  /** Forks `count` workers and waits until each is listening for tasks; stops them all if one fails. */
  static async start(count: number, script = workerScript()): Promise<WorkerHosting> {
    const hosting: { current?: WorkerHosting } = {};
    const onState = (m: Extract<FromWorker, { kind: 'state' }>) => {
      const entry = hosting.current?.placed.get(m.taskId);
      if (entry) Object.assign(entry.task.gameserver, m.gameserver);
    };
    const workers = Array.from({ length: count }, () => new Worker(fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), onState));
    hosting.current = new WorkerHosting(workers);
    try {
      await Promise.all(workers.map((w) => ready(w)));
    } catch (err) {
      await hosting.current.close();
      throw err;
    }
    return hosting.current;
  }

  /** The pids of the workers (tests check that they are gone after close()). */
  pids(): number[] {
    return this.workers.map((w) => w.child.pid as number);
  }

  async open(task: HostedTask, endpoints: Endpoint[]): Promise<Map<number, number>> {
    // The least loaded live worker: a worker that died takes no new tasks.
    const worker = this.workers.filter((w) => w.alive).sort((a, b) => a.tasks - b.tasks)[0];
    if (!worker || this.closing) throw Object.assign(new Error('no sim worker is running'), { code: 'EWORKER' });
    this.placed.set(task.id, { task, worker });
    worker.tasks += 1;
    const done = await this.request(worker, { op: 'open', seq: 0, taskId: task.id, gameserver: { ...task.gameserver }, endpoints }).catch((err: unknown) => {
      this.forget(task.id);
      throw err;
    });
    if (done.error) {
      this.forget(task.id);
      throw Object.assign(new Error(done.error.message), { code: done.error.code });
    }
    return new Map(done.ports ?? []);
  }

  async closeTask(task: HostedTask): Promise<void> {
    const entry = this.placed.get(task.id);
    if (!entry) return;
    this.forget(task.id);
    if (entry.worker.alive) await this.request(entry.worker, { op: 'close', seq: 0, taskId: task.id });
  }

  sync(task: HostedTask): void {
    this.placed.get(task.id)?.worker.send({ op: 'sync', taskId: task.id, gameserver: { ...task.gameserver } });
  }

  /** Asks every worker to close its listeners and exit; one that does not within 5 s is killed. */
  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.workers.map(async (w) => {
        w.send({ op: 'shutdown' });
        const timer = setTimeout(() => w.child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
        if (w.alive) await w.exited;
        clearTimeout(timer);
      }),
    ).then(() => this.placed.clear());
    return this.closing;
  }

  private forget(taskId: string): void {
    const entry = this.placed.get(taskId);
    if (!entry) return;
    this.placed.delete(taskId);
    entry.worker.tasks -= 1;
  }

  private request(worker: Worker, m: Extract<ToWorker, { seq: number }>): Promise<Extract<FromWorker, { kind: 'done' }>> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      if (!worker.alive) return reject(Object.assign(new Error('sim worker exited'), { code: 'EWORKER' }));
      worker.pending.set(seq, { resolve, reject });
      worker.send({ ...m, seq });
    });
  }
}

function ready(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sim worker did not start')), READY_TIMEOUT_MS);
    const onMessage = (m: FromWorker) => {
      if (m.kind !== 'ready') return;
      clearTimeout(timer);
      w.child.off('message', onMessage);
      resolve();
    };
    w.child.on('message', onMessage);
    void w.exited.then(() => {
      clearTimeout(timer);
      reject(new Error('sim worker exited before it was ready'));
    });
  });
}
