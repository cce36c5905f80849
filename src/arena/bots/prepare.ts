// prepareSubmission: a submission zip → a built client directory, cached by submission id and version.
// Built once: concurrent callers in this process share one build; other processes on the same cache directory
// build into a private folder and the first atomic rename wins. The cache is capped by size, least recently used
// entries evicted first (never one used within `protectMs`). Failed builds are cached too (they would fail again);
// timed-out ones are not (a loaded machine may do better next time).
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ReaperLink } from '../../runner/index.js';
import { runMake } from './build.js';
import { DEFAULT_UNZIP_LIMITS, unzipSubmission, ZipRefusedError, type UnzipLimits } from './unzip.js';

export interface PrepareInput {
  submissionId: string | number;
  version: number;
  zip: Buffer;
  cacheDir: string;
  maxCacheBytes: number;
  buildTimeoutMs: number;
  maxLogBytes: number;
  /** Entries used more recently than this are never evicted (a match may be running them). Default 15 min. */
  protectMs?: number;
  unzipLimits?: Partial<UnzipLimits>;
  prlimitPath?: string;
  /** Handed make's process group (see runMake). */
  reaper?: ReaperLink;
}

export type PrepareResult =
  | { ok: true; dir: string; buildLog: string; cached: boolean }
  | { ok: false; reason: string; buildLog: string; cached: boolean };

interface Marker {
  ok: boolean;
  reason?: string;
  buildLog: string;
  bytes: number;
  builtAt: string;
}

const MARKER = 'build.json';
const BOT = 'bot';
const inFlight = new Map<string, Promise<PrepareResult>>();

export class PrepareOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrepareOptionsError';
  }
}

function entryName(submissionId: string | number, version: number): string {
  const id = String(submissionId);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new PrepareOptionsError('submissionId must be 1-64 characters of A-Z a-z 0-9 _ -');
  if (!Number.isSafeInteger(version) || version < 0) throw new PrepareOptionsError('version must be a non-negative integer');
  return `${id}-v${version}`;
}

function check(input: PrepareInput): void {
  for (const [name, value] of [['maxCacheBytes', input.maxCacheBytes], ['buildTimeoutMs', input.buildTimeoutMs], ['maxLogBytes', input.maxLogBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new PrepareOptionsError(`${name} must be a positive integer`);
  }
  // a brace in the path would read as a placeholder in the client command template
  if (/[{}\0]/.test(resolve(input.cacheDir))) throw new PrepareOptionsError('cacheDir must not contain { } or NUL');
}

async function du(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 4096;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await du(child);
    else if (!entry.isSymbolicLink()) total += (await stat(child)).size;
  }
  return total;
}

async function readMarker(entryDir: string): Promise<Marker | null> {
  try {
    return JSON.parse(await readFile(join(entryDir, MARKER), 'utf8')) as Marker;
  } catch {
    return null;
  }
}

function fromMarker(entryDir: string, marker: Marker, cached: boolean): PrepareResult {
  return marker.ok
    ? { ok: true, dir: join(entryDir, BOT), buildLog: marker.buildLog, cached }
    : { ok: false, reason: marker.reason ?? 'the build failed', buildLog: marker.buildLog, cached };
}

async function touch(entryDir: string): Promise<void> {
  const now = new Date();
  await utimes(join(entryDir, MARKER), now, now).catch(() => undefined);
}

async function build(input: PrepareInput, root: string, name: string): Promise<PrepareResult> {
  const limits: UnzipLimits = { ...DEFAULT_UNZIP_LIMITS, maxBytes: Math.min(DEFAULT_UNZIP_LIMITS.maxBytes, input.maxCacheBytes), ...input.unzipLimits };
  const work = join(root, 'tmp', `${name}-${randomUUID()}`);
  const botDir = join(work, BOT);
  await mkdir(work, { recursive: true });
  try {
    let marker: Marker;
    try {
      await unzipSubmission(input.zip, botDir, limits);
      const made = await runMake({ dir: botDir, timeoutMs: input.buildTimeoutMs, maxLogBytes: input.maxLogBytes, maxFileBytes: limits.maxBytes, prlimitPath: input.prlimitPath, reaper: input.reaper });
      if (made.timedOut) return { ok: false, reason: made.reason ?? 'the build timed out', buildLog: made.log, cached: false };
      marker = { ok: made.ok, reason: made.reason, buildLog: made.log, bytes: 0, builtAt: new Date().toISOString() };
      if (made.ok) {
        try {
          await chmod(join(botDir, 'run'), 0o755);
        } catch {
          marker = { ...marker, ok: false, reason: 'no run script in the submission after make', buildLog: `${made.log}[arbiter: no ./run after make]\n` };
        }
      }
    } catch (err) {
      if (err instanceof PrepareOptionsError) throw err;
      const reason = err instanceof ZipRefusedError ? `submission zip refused: ${err.message}` : `submission could not be unpacked: ${(err as Error).message}`;
      marker = { ok: false, reason, buildLog: `[arbiter: ${reason}]\n`, bytes: 0, builtAt: new Date().toISOString() };
    }
    if (!marker.ok) await rm(botDir, { recursive: true, force: true });
    else marker.bytes = await du(botDir);
    await writeFile(join(work, MARKER), JSON.stringify(marker));
    const entryDir = join(root, 'entries', name);
    try {
      await rename(work, entryDir);
      return fromMarker(entryDir, marker, false);
    } catch {
      // another process got there first: theirs is as good as ours
      const theirs = await readMarker(entryDir);
      if (theirs) return fromMarker(entryDir, theirs, true);
      throw new Error(`cache entry ${name} is neither ours nor complete`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Removes least recently used entries until the cache fits, keeping `keep` and anything used within protectMs. */
export async function evict(root: string, maxBytes: number, keep: string, protectMs: number): Promise<string[]> {
  const entriesDir = join(root, 'entries');
  const names = await readdir(entriesDir).catch(() => [] as string[]);
  const entries: { name: string; bytes: number; usedAt: number }[] = [];
  for (const name of names) {
    const dir = join(entriesDir, name);
    const marker = await readMarker(dir);
    const used = await stat(join(dir, MARKER)).catch(() => null);
    if (!marker || !used) continue;
    entries.push({ name, bytes: marker.bytes + marker.buildLog.length, usedAt: used.mtimeMs });
  }
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const evicted: string[] = [];
  const now = Date.now();
  for (const e of entries.sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= maxBytes) break;
    if (e.name === keep || now - e.usedAt < protectMs || inFlight.has(`${root}\0${e.name}`)) continue;
    // rename first, so no caller can pick up a half-deleted entry
    const doomed = join(root, 'tmp', `evicted-${e.name}-${randomUUID()}`);
    try {
      await rename(join(entriesDir, e.name), doomed);
    } catch {
      continue;
    }
    await rm(doomed, { recursive: true, force: true });
    total -= e.bytes;
    evicted.push(e.name);
  }
  return evicted;
}

export async function prepareSubmission(input: PrepareInput): Promise<PrepareResult> {
  check(input);
  const name = entryName(input.submissionId, input.version);
  const root = resolve(input.cacheDir);
  const key = `${root}\0${name}`;
  const running = inFlight.get(key);
  if (running) return { ...(await running), cached: true };
  const job = (async (): Promise<PrepareResult> => {
    const entryDir = join(root, 'entries', name);
    const existing = await readMarker(entryDir);
    if (existing) {
      await touch(entryDir);
      return fromMarker(entryDir, existing, true);
    }
    await mkdir(join(root, 'entries'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    const result = await build(input, root, name);
    await evict(root, input.maxCacheBytes, name, input.protectMs ?? 15 * 60_000);
    return result;
  })();
  inFlight.set(key, job);
  try {
    return await job;
  } finally {
    inFlight.delete(key);
  }
}
