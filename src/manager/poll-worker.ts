// The poll worker thread: runs the real HttpProber (undici, JSON parsing, the contract's schema) off the manager's
// event loop. Requests arrive in batches; results go back in batches gathered for a few milliseconds.
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { HttpProber } from './prober.js';
import { HEAP_REPORT_MS, OP_PROBE, OP_DRAIN, REQUEST_STRIDE, RESULT_STRIDE, pushDrainResult, pushProbeResult, type HeapMessage, type PollWorkerData, type RequestBatch, type ResultBatch } from './poll-wire.js';

const data = workerData as PollWorkerData;
const port = parentPort;
if (!port) throw new Error('poll-worker: must run as a worker thread');

const prober = new HttpProber({
  timeoutMs: data.timeoutMs,
  ...(data.maxBodyBytes !== undefined ? { maxBodyBytes: data.maxBodyBytes } : {}),
  ...(data.drainToken !== undefined ? { drainToken: data.drainToken } : {}),
});

/** Posting a very large batch at once would hold the main thread for its clone: a round's worth is sent in parts. */
const MAX_RESULTS_PER_MESSAGE = 512;

let out: ResultBatch = [];
let timer: NodeJS.Timeout | null = null;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (out.length === 0) return;
  const batch = out;
  out = [];
  port?.postMessage(batch);
}

function answered(): void {
  if (out.length >= MAX_RESULTS_PER_MESSAGE * RESULT_STRIDE) flush();
  else timer ??= setTimeout(flush, data.flushMs);
}

port.on('message', (batch: RequestBatch) => {
  for (let i = 0; i + REQUEST_STRIDE <= batch.length; i += REQUEST_STRIDE) {
    const seq = batch[i] as number;
    const op = batch[i + 1] as number;
    const host = batch[i + 2] as string;
    const healthPort = batch[i + 3] as number;
    if (op === OP_PROBE) {
      void prober.probe(host, healthPort).then((result) => {
        pushProbeResult(out, seq, result);
        answered();
      });
    } else {
      void prober.setDraining(host, healthPort, op === OP_DRAIN).then((done) => {
        pushDrainResult(out, seq, done);
        answered();
      });
    }
  }
});

function reportHeap(): void {
  const stats = getHeapStatistics();
  const message: HeapMessage = { heap: [stats.used_heap_size, stats.total_heap_size, stats.external_memory] };
  port?.postMessage(message);
}
reportHeap();
setInterval(reportHeap, HEAP_REPORT_MS).unref();
