// How a small server process (the demo gameserver, the sidecar, the simulator) stops: SIGTERM or SIGINT closes it,
// then it exits 0, or 1 when closing failed. Written once so that each says the same lines the same way.
import type { Logger } from './log.js';

export interface StopOnSignalsOptions {
  close: () => Promise<void>;
  logger: Logger;
  /** The line logged when stopping begins and the one when closing fails. */
  messages: { stopping: string; failed: string };
  /** The field of the stopping line that says why. Default `signal`. */
  reasonField?: string;
  /**
   * `default`: a second signal gets Node's default action, so a repeated Ctrl-C ends a hanging close at once.
   * `ignore`: later signals (and later calls) are ignored while it closes.
   */
  again: 'default' | 'ignore';
  /** Exit 0 after this long even if closing has not finished: a close that hangs must not keep a server alive. */
  forcedExitMs?: number;
}

/** Installs the SIGTERM and SIGINT handlers; returns the stop, for other reasons to stop (stdin closed). */
export function stopOnSignals(options: StopOnSignalsOptions): (why: string) => void {
  const { close, logger, messages, reasonField = 'signal', again, forcedExitMs } = options;
  let stopping = false;
  const stop = (why: string): void => {
    if (again === 'ignore') {
      if (stopping) return;
      stopping = true;
    }
    logger.info(messages.stopping, { [reasonField]: why });
    if (forcedExitMs !== undefined) setTimeout(() => process.exit(0), forcedExitMs).unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(messages.failed, { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    if (again === 'ignore') process.on(signal, () => stop(signal));
    else process.once(signal, () => stop(signal));
  }
  return stop;
}
