// Runs `make` in a submission's directory: its own process group, the bots' environment, a wall-clock timeout
// that kills the whole group, CPU and file-size limits, and its output captured under a cap.
import { signalGroup, spawnGroupLeader } from '../../shared/process-group.js';
import type { ReaperLink } from '../../runner/index.js';
import { botEnv } from './bot-env.js';
import { CappedLog } from './capped-log.js';

export interface BuildOutcome {
  ok: boolean;
  /** Why it failed, for the team; undefined when ok. */
  reason?: string;
  timedOut: boolean;
  log: string;
}

export interface BuildOptions {
  dir: string;
  timeoutMs: number;
  maxLogBytes: number;
  /** Largest file the build may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
  prlimitPath?: string;
  /** Told of make's process group while it runs, so a worker killed outright (SIGKILL) leaves no build behind. */
  reaper?: ReaperLink;
}

export function runMake(opts: BuildOptions): Promise<BuildOutcome> {
  const log = new CappedLog(opts.maxLogBytes);
  const cpuSeconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  const prlimit = opts.prlimitPath ?? '/usr/bin/prlimit';
  return new Promise((resolvePromise) => {
    const child = spawnGroupLeader(prlimit, [`--cpu=${cpuSeconds}`, `--fsize=${opts.maxFileBytes}`, '--', 'make'], {
      cwd: opts.dir,
      env: botEnv(opts.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const pgid = child.pid;
    if (pgid !== undefined) opts.reaper?.track(pgid);
    const killGroup = (): void => {
      signalGroup(child.pid, 'SIGKILL'); // false when the group is gone already
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    child.stdout?.on('data', (c: Buffer) => log.write(c));
    child.stderr?.on('data', (c: Buffer) => log.write(c));
    child.once('error', (err) => {
      clearTimeout(timer);
      log.write(`[arbiter: could not start make: ${err.message}]\n`);
      resolvePromise({ ok: false, reason: `could not start make: ${err.message}`, timedOut: false, log: log.text() });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // what make left running in the background goes with it
      if (pgid !== undefined) opts.reaper?.untrack(pgid);
      if (timedOut) {
        log.write(`[arbiter: build stopped after ${opts.timeoutMs} ms]\n`);
        return resolvePromise({ ok: false, reason: `the build did not finish within ${opts.timeoutMs} ms`, timedOut: true, log: log.text() });
      }
      if (code === 0) return resolvePromise({ ok: true, timedOut: false, log: log.text() });
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      log.write(`[arbiter: make ${how}]\n`);
      resolvePromise({ ok: false, reason: `make ${how}`, timedOut: false, log: log.text() });
    });
  });
}
