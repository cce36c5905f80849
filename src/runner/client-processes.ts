// Client processes of one match: started with /bin/sh -c in their own process group, output to a log file each,
// stopped with SIGTERM then SIGKILL. Every wait here is bounded.
import type { ChildProcess } from 'node:child_process';
import { childEnv } from '../shared/child-env.js';
import { signalGroupOrLeader, spawnGroupLeader } from '../shared/process-group.js';
import { sleep } from './backoff.js';
import { CappedLog, DEFAULT_MAX_CLIENT_LOG_BYTES } from './capped-log.js';

export interface ClientExit {
  code: number | null;
  signal: string | null;
  /** Set when the shell could not be started at all. */
  error?: string;
}

export interface RunningClient {
  index: number;
  name: string;
  logFile: string;
  exited: ClientExit | null;
  exit: Promise<ClientExit>;
  /** True once the runner has sent it a signal. */
  killed: boolean;
  readonly child: ChildProcess;
}

/**
 * Starts one client. Its environment is the allow-list of childEnv plus `passEnv` (never the runner's own, which
 * holds ARBITER_TOKEN), unless `env` is given in full.
 */
export function startClient(input: {
  index: number;
  name: string;
  command: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  passEnv?: readonly string[];
  /** Cap on the log file: its head and tail are kept, the cut is marked. Default 16 MiB. */
  maxLogBytes?: number;
}): RunningClient {
  const log = new CappedLog(input.logFile, input.maxLogBytes ?? DEFAULT_MAX_CLIENT_LOG_BYTES);
  // its own process group, so that a signal reaches what the shell started too
  const child = spawnGroupLeader('/bin/sh', ['-c', input.command], { stdio: ['ignore', 'pipe', 'pipe'], env: input.env ?? childEnv(process.env, { passThrough: input.passEnv ?? [] }) });
  const drained = Promise.all(
    [child.stdout, child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (!stream) return resolve();
          stream.on('data', (chunk: Buffer) => log.write(chunk));
          stream.once('close', () => resolve());
          stream.once('error', () => resolve());
        }),
    ),
  );
  const running: RunningClient = {
    index: input.index,
    name: input.name,
    logFile: input.logFile,
    exited: null,
    killed: false,
    child,
    exit: new Promise<ClientExit>((resolve) => {
      child.once('error', (err) => {
        log.close();
        running.exited ??= { code: null, signal: null, error: err.message };
        resolve(running.exited);
      });
      child.once('exit', (code, signal) => {
        // what the process group's survivors still print is not waited for: the group is stopped anyway
        const waiting = new AbortController();
        const flushed = Promise.race([drained, sleep(1_000, waiting.signal).catch(() => undefined)]);
        void flushed.then(() => {
          waiting.abort();
          log.close();
          running.exited ??= { code, signal };
          resolve(running.exited);
        });
      });
    }),
  };
  return running;
}

function signalGroup(client: RunningClient, signal: NodeJS.Signals): void {
  if (client.exited || client.child.pid === undefined) return;
  client.killed = true;
  signalGroupOrLeader(client.child, signal);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited or a last bounded wait passes. */
export async function stopClient(client: RunningClient, graceMs: number): Promise<void> {
  if (client.exited) return;
  signalGroup(client, 'SIGTERM');
  const aborter = new AbortController();
  await Promise.race([client.exit, sleep(graceMs, aborter.signal)]);
  aborter.abort();
  if (client.exited) return;
  signalGroup(client, 'SIGKILL');
  const last = new AbortController();
  await Promise.race([client.exit, sleep(2_000, last.signal)]);
  last.abort();
}

export type SuperviseOutcome = { kind: 'exited'; firstIndex: number } | { kind: 'timeout' } | { kind: 'interrupted' };

export interface SuperviseOptions {
  timeoutMs: number;
  /** After the first exit, how long the others get to finish on their own. */
  settleMs: number;
  killGraceMs: number;
  signal?: AbortSignal;
}

/** Waits until one client exits or the timeout passes, then stops the rest. */
export async function superviseClients(clients: RunningClient[], options: SuperviseOptions): Promise<SuperviseOutcome> {
  const aborter = new AbortController();
  const stop = (): void => aborter.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  let outcome: SuperviseOutcome;
  try {
    const first = Promise.race(clients.map((c) => c.exit.then(() => c.index)));
    const winner = await Promise.race([first, sleep(options.timeoutMs, aborter.signal).then(() => null)]);
    if (winner !== null) outcome = { kind: 'exited', firstIndex: winner };
    else outcome = options.signal?.aborted ? { kind: 'interrupted' } : { kind: 'timeout' };
    if (outcome.kind === 'exited' && options.settleMs > 0) {
      const settle = new AbortController();
      await Promise.race([Promise.all(clients.map((c) => c.exit)), sleep(options.settleMs, settle.signal)]);
      settle.abort();
    }
  } finally {
    aborter.abort();
    options.signal?.removeEventListener('abort', stop);
    await Promise.all(clients.map((c) => stopClient(c, options.killGraceMs)));
  }
  return outcome;
}
