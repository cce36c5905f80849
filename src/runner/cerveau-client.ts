// The three Cerveau web calls a match needs (§5): POST /setup, GET /status, GET /gamelog (kept gzip).
import { request as httpRequest } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';

const statusSchema = z.object({
  status: z.enum(['empty', 'open', 'running', 'over']),
  clients: z
    .array(
      z
        .object({
          name: z.string().nullish(),
          index: z.number().nullish(),
          spectating: z.boolean().nullish(),
          won: z.boolean().nullish(),
          lost: z.boolean().nullish(),
          reason: z.string().nullish(),
        })
        .passthrough(),
    )
    .default([]),
  gamelogFilename: z.string().nullish(),
  requiredNumberOfPlayers: z.number().int().min(1).max(1000).nullish(),
});

export type SessionStatus = z.output<typeof statusSchema>;

export class CerveauError extends Error {
  constructor(
    /** HTTP status, or null when Cerveau could not be reached. */
    readonly status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CerveauError';
  }
}

/** The gamelog is larger than the cap, as sent or once decompressed: nothing of it is kept. */
export class GamelogTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GamelogTooLargeError';
  }
}

/** The default --max-gamelog-bytes: far above a real game's log, far below what would sink the runner. */
export const DEFAULT_MAX_GAMELOG_BYTES = 256 * 1024 * 1024;

/**
 * The gamelog's JSON text, decompressed with the output capped at `maxBytes` (a gzip bomb of 1 MB must not become
 * gigabytes in memory).
 */
export function gunzipCapped(gzipped: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(gzipped, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new GamelogTooLargeError(`the gamelog decompresses to more than ${maxBytes} bytes`);
    }
    throw err;
  }
}

export interface CerveauClientOptions {
  host: string;
  webPort: number;
  timeoutMs: number;
}

function errorText(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : JSON.stringify(body);
}

export function createCerveauClient(options: CerveauClientOptions) {
  const base = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.webPort}`;

  async function call(path: string, init: RequestInit = {}, timeoutMs = options.timeoutMs): Promise<{ status: number; body: unknown }> {
    try {
      const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text for the error message
      }
      return { status: res.status, body };
    } catch (err) {
      throw new CerveauError(null, `${base} did not answer: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    base,
    async setup(input: { gameName: string; session: string; password: string; gameSettings: Record<string, unknown> }): Promise<void> {
      const { status, body } = await call('/setup', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (status < 200 || status >= 300) throw new CerveauError(status, `setup refused (${status}): ${errorText(body)}`);
    },

    /**
     * Tells the gameserver's sidecar that this session will not be played, so that its seat is free at once
     * (POST /release/, authenticated by the setup's password and, when given, the sidecar token). True when a sidecar
     * released it; false for anything else, e.g. a bare Cerveau, which has no such route.
     */
    async release(gameName: string, session: string, auth: { password: string; token?: string }, timeoutMs?: number): Promise<boolean> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (auth.token) headers.authorization = `Bearer ${auth.token}`;
      const path = `/release/${encodeURIComponent(gameName)}/${encodeURIComponent(session)}`;
      const { status } = await call(path, { method: 'POST', headers, body: JSON.stringify({ password: auth.password }) }, timeoutMs);
      return status === 200;
    },

    async status(gameName: string, session: string, timeoutMs?: number): Promise<SessionStatus> {
      const { status, body } = await call(`/status/${encodeURIComponent(gameName)}/${encodeURIComponent(session)}`, {}, timeoutMs);
      if (status !== 200) throw new CerveauError(status, `status answered ${status}: ${errorText(body)}`);
      const parsed = statusSchema.safeParse(body);
      if (!parsed.success) throw new CerveauError(status, `status answer is malformed: ${parsed.error.issues[0]?.message ?? ''}`);
      return parsed.data;
    },

    /**
     * The gamelog as gzip bytes; Cerveau already sends gzip, anything else is compressed here. What is received is
     * capped at `maxBytes` (the download is abandoned past it), and so is what it decompresses to.
     */
    gamelog(filename: string, maxBytes = DEFAULT_MAX_GAMELOG_BYTES): Promise<Buffer> {
      return new Promise((resolve, reject) => {
        const req = httpRequest(`${base}/gamelog/${encodeURIComponent(filename)}`, { timeout: options.timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const tooLarge = (): void => {
            res.destroy();
            reject(new GamelogTooLargeError(`the gamelog is larger than ${maxBytes} bytes as sent`));
          };
          const declared = Number(res.headers['content-length']);
          if (res.statusCode === 200 && Number.isFinite(declared) && declared > maxBytes) return tooLarge();
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) return tooLarge();
            // an error answer is read only as far as its message
            if (res.statusCode === 200 || size <= 4096) chunks.push(chunk);
          });
          res.on('error', (err) => reject(new CerveauError(null, `gamelog download failed: ${err.message}`, { cause: err })));
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            if (res.statusCode !== 200) {
              return reject(new CerveauError(res.statusCode ?? null, `gamelog answered ${res.statusCode}: ${bytes.toString('utf8').slice(0, 200)}`));
            }
            const isGzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
            try {
              if (isGzip) gunzipCapped(bytes, maxBytes); // refuses a bomb before anything is saved
              resolve(isGzip ? bytes : gzipSync(bytes));
            } catch (err) {
              reject(err instanceof GamelogTooLargeError ? err : new CerveauError(200, `the gamelog is not valid gzip: ${(err as Error).message}`));
            }
          });
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (err) => reject(new CerveauError(null, `gamelog download failed: ${err.message}`, { cause: err })));
        req.end();
      });
    },
  };
}

export type CerveauClient = ReturnType<typeof createCerveauClient>;
