// A HealthProber whose HTTP work runs in a worker thread (poll-worker.ts): at 10,000 servers polled every two
// seconds, the requests, the header parsing, the JSON and the contract's schema are thousands of allocations a
// second that would otherwise share the event loop (and its garbage collector) with the allocations.
// The main thread pays a promise and an array entry per poll: requests made in one turn of the event loop go in
// one message, and results come back in batches.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Counter, type Registry } from 'prom-client';
import { exponentialDelay } from '../shared/backoff.js';
import type { Logger } from '../shared/log.js';
import { HttpProber, type HealthProber, type HttpProberOptions, type ProbeResult } from './prober.js';
import { DEFAULT_POLL_WORKER_LIMITS, registerWorkerHeapGauge } from './poll-worker-memory.js';
import { PendingBySeq } from './pending-by-seq.js';
import { OP_DRAIN, OP_PROBE, OP_UNDRAIN, REQUEST_STRIDE, RESULT_STRIDE, isHeapMessage, readResult, type HeapMessage, type Op, type PollWorkerData, type RequestBatch, type ResultBatch } from './poll-wire.js';

export interface WorkerProberOptions extends HttpProberOptions {
  logger: Logger;
  /** Where arbiter_poll_worker_stops_total is counted (the manager's registry). */
  registry?: Registry;
  /** The worker's script; by default poll-worker.js beside this module (or in dist/ when run from the sources). */
  script?: string;
  /** How long the worker gathers results before posting them (default 5 ms). */
  flushMs?: number;
  /** The worker's heap bounds; a worker that exceeds them stops and is restarted. */
  resourceLimits?: ResourceLimits;
  /** Back-off between restarts: doubles from the first to the last (defaults 100 ms and 10 s). */
  restartDelayMs?: { first: number; max: number };
  /**
   * A request the worker has not answered this long means the worker is stuck (every poll ends by its own deadline
   * well before): it is terminated and restarted like one that stopped. Default 2 × timeoutMs + 5 s.
   */
  stallMs?: number;
  /**
   * Workers in a row that stopped before they lived a minute, after which polls run on the manager's own thread
   * for good (default 5): a poller that cannot stay up must not leave the fleet unobserved.
   */
  fallbackAfterStops?: number;
}

/** What a poll in flight becomes when the worker stops under it. */
// Inconclusive: the manager's own worker failed, not the gameserver; a crash must not take servers out of rotation.
const STOPPED: ProbeResult = Object.freeze({ ok: false, error: 'poll worker stopped', inconclusive: true }) as ProbeResult;

/** A worker that ran this long before it stopped starts the back-off over. */
const STABLE_MS = 60_000;

/** dist/src/manager/poll-worker.js, found from the build or from the TypeScript sources vitest runs. */
export function pollWorkerScript(): string {
  const candidates = [new URL('./poll-worker.js', import.meta.url), new URL('../../dist/src/manager/poll-worker.js', import.meta.url)];
  const paths = candidates.map((url) => fileURLToPath(url));
  return paths.find((path) => existsSync(path)) ?? paths[paths.length - 1]!;
}

type Answer = (value: ProbeResult | boolean) => void;

export class WorkerProber implements HealthProber {
  private worker: Worker | null = null;
  private startedAt = 0;
  /** Every request not yet answered, in the order sent; those up to `postedUpTo` are in the worker. */
  private readonly waiting = new PendingBySeq<Answer>();
  private postedUpTo = 0;
  /** Batches posted to the worker and not yet all answered, oldest first: the last seq of each and when it went. */
  private readonly posted: Array<{ upTo: number; at: number }> = [];
  private watchdog: NodeJS.Timeout | null = null;
  private stalled: string | null = null;
  private readonly stallMs: number;
  private queued: RequestBatch = [];
  private flushing = false;
  private seq = 0;
  private stops = 0;
  /** Stops in a row of workers that did not live STABLE_MS: the restart back-off's exponent. */
  private consecutive = 0;
  /** The requests in `waiting` that are drain requests (rare): a stop answers them false. */
  private readonly drains = new Set<number>();
  private restartTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly script: string;
  private readonly data: PollWorkerData;
  private readonly stopsCounter: Counter;
  /** Polls on the manager's own thread, once the worker kept stopping. */
  private fallback: HttpProber | null = null;
  /** The running worker's last heap report; null before its first and after it stopped. */
  private heap: HeapMessage['heap'] | null = null;

  constructor(private readonly options: WorkerProberOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('WorkerProber: timeoutMs must be a positive number');
    const flushMs = options.flushMs ?? 5;
    if (!(flushMs >= 0)) throw new RangeError('WorkerProber: flushMs must be 0 or more');
    this.stopsCounter = new Counter({
      name: 'arbiter_poll_worker_stops_total',
      help: 'Times the health poll worker thread stopped on its own (a crash, out of memory) and was restarted.',
      registers: options.registry ? [options.registry] : [],
    });
    if (options.registry) registerWorkerHeapGauge(options.registry, () => this.heap);
    this.stallMs = options.stallMs ?? 2 * options.timeoutMs + 5_000;
    if (!(this.stallMs > 0)) throw new RangeError('WorkerProber: stallMs must be a positive number');
    this.script = options.script ?? pollWorkerScript();
    this.data = { timeoutMs: options.timeoutMs, flushMs };
    if (options.maxBodyBytes !== undefined) this.data.maxBodyBytes = options.maxBodyBytes;
    if (options.drainToken !== undefined) this.data.drainToken = options.drainToken;
    this.start();
  }

  /** The worker's V8 heap as it last reported it, in bytes; null when no worker has reported yet. */
  get workerHeap(): { used: number; total: number; external: number } | null {
    return this.heap ? { used: this.heap[0], total: this.heap[1], external: this.heap[2] } : null;
  }

  /** Times the worker stopped on its own since this prober started. */
  get restarts(): number {
    return this.stops;
  }

  probe(host: string, port: number): Promise<ProbeResult> {
    return this.send(OP_PROBE, host, port) as Promise<ProbeResult>;
  }

  setDraining(host: string, port: number, draining: boolean): Promise<boolean> {
    return this.send(draining ? OP_DRAIN : OP_UNDRAIN, host, port) as Promise<boolean>;
  }

  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  /** True once polls run on the manager's own thread because the worker kept stopping. */
  get onMainThread(): boolean {
    return this.fallback !== null;
  }

  private async stop(): Promise<void> {
    await this.fallback?.close();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.stopWatchdog();
    const worker = this.worker;
    this.worker = null;
    this.queued = [];
    this.failWaiting(Number.POSITIVE_INFINITY);
    if (worker) await worker.terminate();
  }

  private send(op: Op, host: string, port: number): Promise<ProbeResult | boolean> {
    if (this.closing) return Promise.resolve(op === OP_PROBE ? STOPPED : false);
    if (this.fallback) return onMainThread(this.fallback, op, host, port);
    return new Promise((resolve) => {
      const seq = ++this.seq;
      this.waiting.add(seq, resolve);
      if (op !== OP_PROBE) this.drains.add(seq);
      this.queued.push(seq, op, host, port);
      if (!this.flushing && this.worker) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Everything asked for in this turn of the event loop, as one message. */
  private flush(): void {
    this.flushing = false;
    const worker = this.worker;
    if (!worker || this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.postedUpTo = batch[batch.length - REQUEST_STRIDE] as number;
    this.posted.push({ upTo: this.postedUpTo, at: performance.now() });
    worker.postMessage(batch);
  }

  private start(): void {
    const worker = new Worker(this.script, {
      workerData: this.data,
      resourceLimits: this.options.resourceLimits ?? DEFAULT_POLL_WORKER_LIMITS,
      // The worker's output is the manager's: its log lines (there are none today) and its crash.
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.worker = worker;
    this.startedAt = performance.now();
    let failure: Error | null = null;
    this.stalled = null;
    worker.on('message', (message: ResultBatch | HeapMessage) => {
      if (isHeapMessage(message)) this.heap = message.heap;
      else this.answer(message);
    });
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => this.exited(worker, code, failure));
    this.watchdog = setInterval(() => this.watch(worker), Math.max(10, Math.floor(this.stallMs / 4)));
    this.watchdog.unref();
    // Requests that waited for this worker (made while the last one was down) go now.
    if (this.queued.length > 0 && !this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private answer(batch: ResultBatch): void {
    for (let at = 0; at + RESULT_STRIDE <= batch.length; at += RESULT_STRIDE) {
      const seq = batch[at] as number;
      const answer = this.waiting.take(seq);
      if (answer === undefined) continue;
      this.drains.delete(seq);
      answer(readResult(batch, at));
    }
  }

  private exited(worker: Worker, code: number, failure: Error | null): void {
    if (this.worker !== worker) return; // terminated by close()
    this.worker = null;
    this.heap = null;
    this.stopWatchdog();
    this.posted.length = 0;
    const inFlight = this.failWaiting(this.postedUpTo);
    this.stops += 1;
    const lived = performance.now() - this.startedAt;
    const delays = this.options.restartDelayMs ?? { first: 100, max: 10_000 };
    this.consecutive = lived >= STABLE_MS ? 1 : this.consecutive + 1;
    const restartInMs = exponentialDelay(this.consecutive - 1, { baseMs: delays.first, maxMs: delays.max });
    const giveUp = this.consecutive >= (this.options.fallbackAfterStops ?? 5);
    this.options.logger.error('poll worker stopped', { code, error: this.stalled ?? failure?.message, inFlight, restartInMs: giveUp ? null : restartInMs, restarts: this.stops });
    this.stopsCounter.inc();
    if (giveUp) {
      this.pollOnMainThread();
      return;
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.closing) this.start();
    }, restartInMs);
    this.restartTimer.unref();
  }

  /** Gives up on the worker: what waits for one, and every later poll, goes to an HttpProber on this thread. */
  private pollOnMainThread(): void {
    const fallback = new HttpProber(this.options);
    this.fallback = fallback;
    this.options.logger.error('poll worker keeps stopping; polling on the main thread', { stopsInARow: this.consecutive });
    const queued = this.queued;
    this.queued = [];
    for (let at = 0; at + REQUEST_STRIDE <= queued.length; at += REQUEST_STRIDE) {
      const [seq, op, host, port] = queued.slice(at, at + REQUEST_STRIDE) as [number, Op, string, number];
      const answer = this.waiting.take(seq);
      if (answer === undefined) continue;
      this.drains.delete(seq);
      void onMainThread(fallback, op, host, port).then(answer);
    }
  }

  /** A worker with a request unanswered for stallMs is stuck: terminated, it is restarted as one that stopped. */
  private watch(worker: Worker): void {
    const oldest = this.waiting.oldest() ?? Number.POSITIVE_INFINITY;
    while (this.posted.length > 0 && (this.posted[0] as { upTo: number }).upTo < oldest) this.posted.shift();
    const head = this.posted[0];
    if (!head || this.worker !== worker || this.stalled) return;
    const age = performance.now() - head.at;
    if (age < this.stallMs) return;
    this.stalled = `no answer for ${Math.round(age)} ms`;
    void worker.terminate();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  /** Answers every request up to `upTo` as the worker's stop; returns how many there were. */
  private failWaiting(upTo: number): number {
    return this.waiting.takeUpTo(upTo, (seq, answer) => answer(this.drains.delete(seq) ? false : STOPPED));
  }
}

/** A request the worker would have carried out, made by the prober on the manager's own thread. */
function onMainThread(prober: HttpProber, op: Op, host: string, port: number): Promise<ProbeResult | boolean> {
  return op === OP_PROBE ? prober.probe(host, port) : prober.setDraining(host, port, op === OP_DRAIN);
}
