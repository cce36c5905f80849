// What the manager's main thread and its poll worker say to each other. Both directions carry flat arrays of
// numbers and strings, many requests or results per message: a structured clone of one array per batch
// costs the main thread far less than an object (or a message) per poll.
import type { ProbeResult } from './prober.js';
import type { HealthReport } from './types.js';

/** Options of the HttpProber the worker runs (passed as workerData). */
export interface PollWorkerData {
  timeoutMs: number;
  maxBodyBytes?: number;
  drainToken?: string;
  /** How long the worker gathers results before it posts them. */
  flushMs: number;
}

export const OP_PROBE = 0;
export const OP_DRAIN = 1;
export const OP_UNDRAIN = 2;
export type Op = typeof OP_PROBE | typeof OP_DRAIN | typeof OP_UNDRAIN;

/** Requests: [seq, op, host, port] repeated. */
export const REQUEST_STRIDE = 4;
export type RequestBatch = Array<number | string>;

/** Results: [seq, status, available, readyToClose, maxCapacity, activeSessions, draining, error] repeated. */
export const RESULT_STRIDE = 8;
export type ResultBatch = Array<number | string | null>;

/**
 * The worker's own V8 heap, posted every few seconds beside the results: [used, total, external] bytes. Nothing else
 * reports a worker thread's heap (process.memoryUsage() and prom-client's gauges see the main thread's only).
 */
export type HeapMessage = { heap: [used: number, total: number, external: number] };
export const HEAP_REPORT_MS = 5_000;

export function isHeapMessage(message: unknown): message is HeapMessage {
  return typeof message === 'object' && message !== null && !Array.isArray(message) && Array.isArray((message as HeapMessage).heap);
}

const REPORT = 0;
const FAILED = 1;
const DRAIN_DONE = 2;

export function pushProbeResult(out: ResultBatch, seq: number, result: ProbeResult): void {
  if (!result.ok) {
    out.push(seq, FAILED, null, null, null, null, null, result.error);
    return;
  }
  const r = result.report;
  out.push(seq, REPORT, r.availableCapacity, r.readyToClose ? 1 : 0, r.maxCapacity ?? null, r.activeSessions ?? null, r.draining === undefined ? null : r.draining ? 1 : 0, null);
}

export function pushDrainResult(out: ResultBatch, seq: number, done: boolean): void {
  out.push(seq, DRAIN_DONE, done ? 1 : 0, null, null, null, null, null);
}

/** The result at `at` (a multiple of RESULT_STRIDE): a probe's result, or a drain request's boolean. */
export function readResult(batch: ResultBatch, at: number): ProbeResult | boolean {
  const status = batch[at + 1];
  if (status === DRAIN_DONE) return batch[at + 2] === 1;
  if (status === FAILED) return { ok: false, error: String(batch[at + 7]) };
  const report: HealthReport = { availableCapacity: batch[at + 2] as number, readyToClose: batch[at + 3] === 1 };
  const max = batch[at + 4];
  const active = batch[at + 5];
  const draining = batch[at + 6];
  if (max !== null) report.maxCapacity = max as number;
  if (active !== null) report.activeSessions = active as number;
  if (draining !== null) report.draining = draining === 1;
  return { ok: true, report };
}
