// The owner's side of the reaper (reaper-main.ts): the manager in local mode, a match runner or an arena worker tells
// it which process groups to stop if the owner dies without stopping them, e.g. by SIGKILL or an OOM kill, when no exit
// hook of its own can run.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from './log.js';
import { spawnGroupLeader } from './process-group.js';

/** Who starts a reaper and what it stops, as its log line says them ("runner gone; stopping its bot clients"). */
export interface ReaperLabel {
  owner: string;
  stops: string;
}

/** Every user of the reaper, each naming what it stops. */
export const REAPER_LABELS = {
  manager: { owner: 'manager', stops: 'gameservers' },
  runner: { owner: 'runner', stops: 'bot clients' },
  arena: { owner: 'arena worker', stops: 'bots and bot builds' },
} as const satisfies Record<string, ReaperLabel>;

/** How long a reaper may take to say it is ready (a node start on a loaded 2-core machine). */
const READY_TIMEOUT_MS = 10_000;

const LABEL_TEXT = /^[a-z][a-z -]{0,40}$/;

/** The reaper script's arguments; labels are short lower-case words, checked here. */
export function reaperArgs(label: ReaperLabel, graceMs: number): string[] {
  for (const [key, value] of Object.entries(label)) {
    if (!LABEL_TEXT.test(value)) throw new RangeError(`reaper ${key} must be a few lower-case words, got "${value}"`);
  }
  return ['--grace-ms', String(Math.round(graceMs)), '--owner', label.owner, '--stops', label.stops];
}

export interface ChildReaperOptions {
  /** SIGTERM → SIGKILL delay for what the reaper stops (LOCAL_STOP_GRACE). */
  graceMs: number;
  /** Who is starting it and what it will stop, for its log lines. */
  label: ReaperLabel;
  logger: Logger;
  /** Overrides the compiled reaper script (tests). */
  script?: string;
}

/** What an owner needs of a reaper (the local backend, the runner, bot builds). */
export interface ReaperLink {
  track(pgid: number): void;
  untrack(pgid: number): void;
}

/** Tells the reaper of a child's process group for as long as the child runs. */
export function reapIfOrphaned(reaper: ReaperLink | undefined, pgid: number | undefined, exited: Promise<unknown>): void {
  if (!reaper || pgid === undefined) return;
  reaper.track(pgid);
  void exited.then(() => reaper.untrack(pgid));
}

/** dist/src/shared/reaper-main.js, found from the build or from the TypeScript sources vitest runs. */
export function reaperScript(): string {
  const candidates = [new URL('./reaper-main.js', import.meta.url), new URL('../../dist/src/shared/reaper-main.js', import.meta.url)];
  const paths = candidates.map((url) => fileURLToPath(url));
  return paths.find((path) => existsSync(path)) ?? paths[paths.length - 1]!;
}

export class ChildReaper implements ReaperLink {
  private broken = false;
  private closed = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly logger: Logger,
    private readonly label: ReaperLabel,
  ) {
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stdin?.on('error', (err) => this.fail(err.message));
    proc.once('exit', (code, signal) => {
      if (!this.closed) this.fail(`the reaper exited (${signal ?? `code ${code}`})`);
    });
  }

  /** Starts the reaper; it neither keeps the manager's event loop alive nor shares its process group. */
  static async start(options: ChildReaperOptions): Promise<ChildReaper> {
    const script = options.script ?? reaperScript();
    if (!existsSync(script)) throw new Error(`reaper not found at ${script}; run npm run build`);
    const proc = spawnGroupLeader(process.execPath, [script, ...reaperArgs(options.label, options.graceMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    // Its first line says its signal handlers are installed: before that, a pkill would kill it by default and
    // leave every group started since behind.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the reaper did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        proc.kill('SIGKILL');
        reject(err);
      };
      const exited = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(new Error(`the reaper exited at start (${signal ?? `code ${code}`})`));
      proc.once('error', fail);
      proc.once('exit', exited);
      proc.stdout?.once('data', () => {
        clearTimeout(timer);
        proc.off('exit', exited);
        proc.off('error', fail);
        resolve();
      });
    });
    proc.stdout?.destroy();
    proc.unref();
    (proc.stdin as unknown as Socket).unref();
    return new ChildReaper(proc, options.logger, options.label);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  track(pgid: number): void {
    this.write(`+${pgid}\n`);
  }

  untrack(pgid: number): void {
    this.write(`-${pgid}\n`);
  }

  /** After the backend has stopped its children: the reaper finds nothing left and exits. Bounded wait. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.proc.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private write(line: string): void {
    if (this.broken || this.closed || !this.proc.stdin?.writable) return;
    this.proc.stdin.write(line);
  }

  private fail(reason: string): void {
    if (this.broken) return;
    this.broken = true;
    this.logger.warn(`reaper lost; ${this.label.stops} may outlive a crash of the ${this.label.owner}`, { reason, owner: this.label.owner, stops: this.label.stops });
  }
}
