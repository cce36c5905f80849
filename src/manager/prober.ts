// Talks to gameservers' health API over HTTP: GET /health/, POST /drain/ and /undrain/.
// Over node:http rather than undici (Node's own library, so the "prefer a library" rule holds): a kept-alive
// connection per gameserver is what the manager holds most of at 10,000 servers, and node:http's keep-alive Agent
// keeps one for about a third of the heap of an undici Client (bench `memory`: 1.8 KB against 5.3 KB per server).
import { Agent, request, type IncomingMessage } from 'node:http';
import { Deadlines } from './deadlines.js';
import { parseHealthBody } from './health-schema.js';
import type { HealthReport } from './types.js';

/**
 * A poll's outcome. `inconclusive` marks a poll the prober could not send or finish on its own side (its worker
 * thread stopped, or the manager is closing): it says nothing about the gameserver, so it is not a failed poll.
 */
export type ProbeResult = { ok: true; report: HealthReport } | { ok: false; error: string; inconclusive?: true };

/** What the manager needs from the health side: narrow, so tests pass a stub. */
export interface HealthProber {
  probe(host: string, port: number): Promise<ProbeResult>;
  /** Asks the gameserver to refuse (or accept again) new sessions. Best effort: false when it did not. */
  setDraining(host: string, port: number, draining: boolean): Promise<boolean>;
  close(): Promise<void>;
}

export interface HttpProberOptions {
  timeoutMs: number;
  /** Bodies larger than this are a failed poll; a health answer is a few dozen bytes. */
  maxBodyBytes?: number;
  /** Bearer token for /drain/ and /undrain/ (ARBITER_SIDECAR_TOKEN); never logged. */
  drainToken?: string;
}

const ACCEPT_JSON = { accept: 'application/json' } as const;
/** How long an idle connection is kept (less when the gameserver's Keep-Alive header says it closes sooner). */
const IDLE_MS = 30_000;

interface Answer {
  status: number;
  text: string;
}

export class HttpProber implements HealthProber {
  private readonly agent: Agent;
  private readonly maxBodyBytes: number;
  private readonly deadlines: Deadlines;
  private readonly drainHeaders: Record<string, string>;

  constructor(options: HttpProberOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('HttpProber: timeoutMs must be a positive number');
    this.maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
    this.deadlines = new Deadlines(options.timeoutMs);
    this.drainHeaders = options.drainToken ? { authorization: `Bearer ${options.drainToken}` } : {};
    // Keep-alive, so that polling every two seconds reuses one socket per gameserver instead of opening one each time
    // (the idle timeout outlasts POLL_INTERVAL). One socket per gameserver: the manager never polls a server twice at
    // once; a drain request waits behind a poll in flight. Every request carries a deadline (the sweep's shared
    // signal), which also bounds connecting.
    this.agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: IDLE_MS });
  }

  async probe(host: string, port: number): Promise<ProbeResult> {
    let answer: Answer;
    try {
      answer = await this.deadlines.run((signal) => this.send('GET', host, port, '/health/', ACCEPT_JSON, signal));
    } catch (err) {
      return { ok: false, error: describeError(err) };
    }
    if (answer.status < 200 || answer.status >= 300) return { ok: false, error: `health answered HTTP ${answer.status}` };
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return { ok: false, error: 'health answer is not JSON' };
    }
    return parseHealthBody(body);
  }

  async setDraining(host: string, port: number, draining: boolean): Promise<boolean> {
    try {
      const path = draining ? '/drain/' : '/undrain/';
      const answer = await this.deadlines.run((signal) => this.send('POST', host, port, path, this.drainHeaders, signal));
      return answer.status >= 200 && answer.status < 300;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.deadlines.abortAll();
    this.agent.destroy();
  }

  /**
   * One request, retried once when a kept-alive socket turns out closed by the gameserver as it was reused (the
   * race node's documentation describes: the server's idle timeout ends while the request is on its way).
   */
  private async send(method: string, host: string, port: number, path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
    try {
      return await this.once(method, host, port, path, headers, signal);
    } catch (err) {
      if (!(err as { reusedSocket?: boolean }).reusedSocket || signal.aborted) throw err;
      return this.once(method, host, port, path, headers, signal);
    }
  }

  private once(method: string, host: string, port: number, path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Answer> {
    const max = this.maxBodyBytes;
    return new Promise((resolve, reject) => {
      const req = request({ host, port, path, method, headers, agent: this.agent, signal }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            // The socket goes with the request: what is left of the body must not be read as the next answer.
            req.destroy(new Error(`health answer larger than ${max} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text });
        });
        res.on('error', reject);
      });
      req.on('error', (err) => {
        // A request that failed on a socket it reused from an earlier poll may be retried (send()).
        if (req.reusedSocket && (err as { code?: string }).code === 'ECONNRESET') Object.assign(err, { reusedSocket: true });
        reject(err);
      });
      req.end();
    });
  }
}

function describeError(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'health poll timed out';
  return `health poll failed: ${e.code ?? e.name ?? 'error'}${e.message ? `: ${e.message}` : ''}`;
}
