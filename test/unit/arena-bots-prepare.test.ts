// Submissions from zips: hostile zips refused with a reason, Joueur's top-folder layout, make with a captured and
// capped log, the cache (built once, shared by concurrent callers, size-capped with LRU eviction).
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBotDir, prepareSubmission, unzipSubmission, zipDirectory, ZipRefusedError, DEFAULT_UNZIP_LIMITS, type PrepareInput } from '../../src/arena/bots/index.js';
import { rawZip, type RawEntry } from '../support/raw-zip.js';
import { waitFor } from '../support/wait.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'arena-bots-'));
  dirs.push(d);
  return d;
}

const MAKEFILE = 'all:\n\t@echo building\n\t@echo built > built.txt\n';
const RUN = { name: 'run', data: '#!/bin/sh\necho hi\n', mode: 0o100755 };
const good = (extra: RawEntry[] = [], makefile = MAKEFILE): Buffer => rawZip([{ name: 'Makefile', data: makefile }, RUN, ...extra]);

function input(cacheDir: string, zip: Buffer, over: Partial<PrepareInput> = {}): PrepareInput {
  return { submissionId: 1, version: 1, zip, cacheDir, maxCacheBytes: 50 * 1024 * 1024, buildTimeoutMs: 30_000, maxLogBytes: 64 * 1024, protectMs: 0, ...over };
}

describe('unzipSubmission refuses hostile zips', () => {
  it.each<[string, RawEntry[], RegExp]>([
    ['zip-slip with ../', [{ name: 'Makefile', data: MAKEFILE }, { name: '../../evil.sh', data: 'x' }], /outside|invalid relative path/],
    ['an absolute path', [{ name: 'Makefile', data: MAKEFILE }, { name: '/etc/evil', data: 'x' }], /outside|absolute path/],
    ['a nested ../', [{ name: 'Makefile', data: MAKEFILE }, { name: 'src/../../x', data: 'x' }], /outside|invalid relative path/],
    ['a backslash path', [{ name: 'Makefile', data: MAKEFILE }, { name: '..\\x', data: 'x' }], /outside|invalid characters/],
    ['a symlink', [{ name: 'Makefile', data: MAKEFILE }, { name: 'link', data: '/etc/passwd', mode: 0o120777 }], /symlink/],
    ['an encrypted entry', [{ name: 'Makefile', data: MAKEFILE, encrypted: true }], /encrypted/],
    ['a zip bomb (declared size)', [{ name: 'Makefile', data: MAKEFILE }, { name: 'big', data: Buffer.alloc(2 * 1024 * 1024), deflate: true }], /more than 1048576 bytes/],
    ['a size that lies', [{ name: 'Makefile', data: MAKEFILE }, { name: 'big', data: Buffer.alloc(3 * 1024 * 1024), deflate: true, declaredSize: 100 }], /too many bytes|more than|size/],
    ['no Makefile', [{ name: 'run', data: 'x' }], /no Makefile/],
    ['two top folders', [{ name: 'a/Makefile', data: MAKEFILE }, { name: 'b/run', data: 'x' }], /no Makefile/],
  ])('%s', async (_label, entries, reason) => {
    const dest = join(tempDir(), 'out');
    const err = await unzipSubmission(rawZip(entries), dest, { ...DEFAULT_UNZIP_LIMITS, maxBytes: 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipRefusedError);
    expect((err as Error).message).toMatch(reason);
    const parent = join(dest, '..');
    expect(readdirSync(parent).filter((n) => n !== 'out')).toEqual([]);
    expect(existsSync(join(parent, '..', 'evil.sh'))).toBe(false);
  });

  it('refuses too many files', async () => {
    const entries: RawEntry[] = [{ name: 'Makefile', data: MAKEFILE }, ...Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' }))];
    await expect(unzipSubmission(rawZip(entries), join(tempDir(), 'o'), { ...DEFAULT_UNZIP_LIMITS, maxFiles: 10 })).rejects.toThrow(/21 entries; at most 10/);
  });

  it('refuses a zip larger than the unpack limit before reading it', async () => {
    const zip = rawZip([{ name: 'Makefile', data: MAKEFILE }, { name: 'blob', data: Buffer.alloc(4096, 7) }]);
    await expect(unzipSubmission(zip, join(tempDir(), 'o'), { ...DEFAULT_UNZIP_LIMITS, maxBytes: 2048 })).rejects.toThrow(/the zip is \d+ bytes; at most 2048/);
  });

  it('refuses bytes that are not a zip', async () => {
    await expect(unzipSubmission(Buffer.from('not a zip at all'), join(tempDir(), 'o'))).rejects.toThrow(ZipRefusedError);
  });

  it('takes a Joueur zip whose one top folder holds the Makefile, keeping executable bits', async () => {
    const dest = join(tempDir(), 'o');
    await unzipSubmission(rawZip([{ name: 'Joueur.js/', mode: 0o040755 }, { name: 'Joueur.js/Makefile', data: MAKEFILE }, { ...RUN, name: 'Joueur.js/run' }, { name: 'Joueur.js/src/a.js', data: '1' }, { name: '__MACOSX/._run', data: 'x' }]), dest);
    expect(readdirSync(dest).sort()).toEqual(['Makefile', 'run', 'src']);
    expect(statSync(join(dest, 'run')).mode & 0o111).not.toBe(0);
    expect(statSync(join(dest, 'Makefile')).mode & 0o111).toBe(0);
  });
});

describe('prepareSubmission', () => {
  it('unzips and builds once; later and concurrent callers reuse the build', async () => {
    const cache = tempDir();
    const zip = good([], 'all:\n\t@echo building\n\t@date +%s%N >> builds.txt\n');
    const [a, b, c] = await Promise.all([prepareSubmission(input(cache, zip)), prepareSubmission(input(cache, zip)), prepareSubmission(input(cache, zip))]);
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok) throw new Error('unreachable');
    expect(a.dir).toBe(b.dir);
    expect(a.dir).toBe(join(cache, 'entries', '1-v1', 'bot'));
    expect(a.buildLog).toContain('building');
    const again = await prepareSubmission(input(cache, zip));
    expect(again.cached).toBe(true);
    expect(readFileSync(join(a.dir, 'builds.txt'), 'utf8').trim().split('\n')).toHaveLength(1);
    // a new version is a new build
    const v2 = await prepareSubmission(input(cache, zip, { version: 2 }));
    expect(v2.ok && v2.dir).toBe(join(cache, 'entries', '1-v2', 'bot'));
  });

  it('a failing make fails with its log, and the failure is remembered', async () => {
    const cache = tempDir();
    const zip = good([], 'all:\n\t@echo "compiling bot.c"\n\t@echo "bot.c:1: error: expected ;" >&2\n\t@exit 2\n');
    const result = await prepareSubmission(input(cache, zip, { submissionId: 'broken' }));
    expect(result.ok).toBe(false);
    if (result.ok) throw new Error('unreachable');
    expect(result.reason).toBe('make exited with code 2');
    expect(result.buildLog).toContain('compiling bot.c');
    expect(result.buildLog).toContain('error: expected ;');
    const again = await prepareSubmission(input(cache, zip, { submissionId: 'broken' }));
    expect(again).toMatchObject({ ok: false, cached: true, reason: 'make exited with code 2' });
  });

  it('a refused zip fails with the reason in the build log', async () => {
    const result = await prepareSubmission(input(tempDir(), rawZip([{ name: 'Makefile', data: MAKEFILE }, { name: '../x', data: 'x' }])));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/^submission zip refused: /);
    expect(result.buildLog).toMatch(/refused/);
  });

  it('a build that does not finish in time is killed, with its process group', async () => {
    const cache = tempDir();
    const pidFile = join(tempDir(), 'child.pid');
    const zip = good([], `all:\n\t@echo starting\n\t@sh -c 'sleep 30 & echo $$! > ${pidFile}; wait'\n`);
    const started = Date.now();
    const result = await prepareSubmission(input(cache, zip, { buildTimeoutMs: 1_000 }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ ok: false, reason: 'the build did not finish within 1000 ms', cached: false });
    expect(result.buildLog).toContain('starting');
    // what make started in the background went with it
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !alive(pid), { timeoutMs: 5_000 });
    // not cached: a later try builds again
    expect(readdirSync(join(cache, 'entries'))).toEqual([]);
  });

  it('caps the build log', async () => {
    const zip = good([], 'all:\n\t@i=0; while [ $$i -lt 2000 ]; do echo "line $$i of noisy build output"; i=$$((i+1)); done\n');
    const result = await prepareSubmission(input(tempDir(), zip, { maxLogBytes: 1000 }));
    expect(result.ok).toBe(true);
    expect(result.buildLog.length).toBeLessThan(1200);
    expect(result.buildLog).toMatch(/output cut at 1000 bytes; \d+ more bytes dropped/);
  });

  it('fails a submission with no run script after make', async () => {
    const result = await prepareSubmission(input(tempDir(), rawZip([{ name: 'Makefile', data: MAKEFILE }])));
    expect(result).toMatchObject({ ok: false, reason: 'no run script in the submission after make' });
  });

  it('builds in the bots environment, not the worker one', async () => {
    process.env.ARENA_TEST_SECRET = 'do-not-leak';
    try {
      const result = await prepareSubmission(input(tempDir(), good([], 'all:\n\t@env | sort\n')));
      expect(result.buildLog).toContain('PATH=');
      expect(result.buildLog).not.toContain('do-not-leak');
    } finally {
      delete process.env.ARENA_TEST_SECRET;
    }
  });

  it('evicts the least recently used entries past maxCacheBytes, keeping the newest', async () => {
    const cache = tempDir();
    const fat = (n: number): Buffer => good([{ name: 'blob', data: Buffer.alloc(300 * 1024, n) }]);
    const cap = 800 * 1024;
    for (const id of ['a', 'b']) expect((await prepareSubmission(input(cache, fat(1), { submissionId: id, maxCacheBytes: cap }))).ok).toBe(true);
    // use 'a' again so that 'b' is the least recently used
    await new Promise((r) => setTimeout(r, 20));
    await prepareSubmission(input(cache, fat(1), { submissionId: 'a', maxCacheBytes: cap }));
    await prepareSubmission(input(cache, fat(1), { submissionId: 'c', maxCacheBytes: cap }));
    expect(readdirSync(join(cache, 'entries')).sort()).toEqual(['a-v1', 'c-v1']);
    expect(readdirSync(join(cache, 'tmp'))).toEqual([]);
  });

  it('does not evict an entry used within protectMs', async () => {
    const cache = tempDir();
    const fat = good([{ name: 'blob', data: Buffer.alloc(300 * 1024) }]);
    for (const id of ['a', 'b', 'c']) await prepareSubmission(input(cache, fat, { submissionId: id, maxCacheBytes: 400 * 1024, protectMs: 60_000 }));
    expect(readdirSync(join(cache, 'entries')).sort()).toEqual(['a-v1', 'b-v1', 'c-v1']);
  });

  it('refuses bad options', async () => {
    await expect(prepareSubmission(input(tempDir(), good(), { submissionId: '../x' }))).rejects.toThrow(/submissionId/);
    await expect(prepareSubmission(input(tempDir(), good(), { maxCacheBytes: 0 }))).rejects.toThrow(/maxCacheBytes/);
    await expect(prepareSubmission(input('/tmp/{host}', good()))).rejects.toThrow(/cacheDir/);
  });

  it('builds the demo submission from a zip made by zipDirectory, in a top folder as Joueur zips are', async () => {
    const zip = await zipDirectory(demoBotDir(), { topFolder: 'Joueur.js' });
    const result = await prepareSubmission(input(tempDir(), zip, { submissionId: 'demo' }));
    expect(result).toMatchObject({ ok: true });
    expect(result.buildLog).toMatch(/demo bot built with node v\d+/);
  });
});
