// HTTP load for bench/scale: an evenly paced open loop (latency counted from each request's due time,
// so a stalled server cannot hide its backlog by slowing the sender) and a closed loop at fixed concurrency.
import { Pool } from 'undici';
import { summarize, type LatencySummary } from './harness.js';

export interface PacedResult {
  latency: LatencySummary;
  /** Requests answered with something other than 200. */
  failed: number;
  sent: number;
}

export interface PacedOptions {
  connections?: number;
  /**
   * Seconds paced at the same rate before the measured window, whose answers are not counted: the route's code and
   * the client's connections are warm, as under steady traffic, when the window starts.
   */
  warmupSeconds?: number;
  /** Called (synchronously) when the first request of the measured window falls due. */
  onWindow?: () => void;
}

/**
 * `rate` GETs a second for `seconds` (after `warmupSeconds` more that are not counted), each due at start + i/rate,
 * over up to `connections` keep-alive connections.
 */
export async function pacedLoad(origin: string, path: string, rate: number, seconds: number, options: PacedOptions = {}): Promise<PacedResult> {
  const connections = options.connections ?? 64;
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const warm = Math.round(rate * (options.warmupSeconds ?? 0));
  const total = warm + Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Array<Promise<void>> = [];
  const one = async (due: number, counted: boolean): Promise<void> => {
    let ok = false;
    try {
      const res = await pool.request({ path, method: 'GET' });
      await res.body.dump();
      ok = res.statusCode === 200;
    } catch {
      ok = false;
    }
    if (!counted) return;
    if (!ok) failed += 1;
    latencies.push(performance.now() - due);
  };
  try {
    const start = performance.now() + 20;
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        if (next === warm) options.onWindow?.();
        inFlight.push(one(start + (next * 1000) / rate, next >= warm));
        next += 1;
      }
      // A timer of ~1 ms; requests that fell due meanwhile go out together and count from their due time.
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inFlight);
    return { latency: summarize(latencies), failed, sent: total - warm };
  } finally {
    await pool.close();
  }
}

/** As many GETs as `concurrency` connections carry in `seconds`; every answer must be 200. */
export async function closedLoad(origin: string, path: string, concurrency: number, seconds: number): Promise<{ perSecond: number; latency: LatencySummary }> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  try {
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const res = await pool.request({ path, method: 'GET' });
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`scale: ${origin}${path} answered ${res.statusCode}: ${text.slice(0, 200)}`);
        latencies.push(performance.now() - t0);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    return { perSecond: latencies.length / ((performance.now() - started) / 1000), latency: summarize(latencies) };
  } finally {
    await pool.close();
  }
}
