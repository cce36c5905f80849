// Log keys from hostile parts, and the file:// store: atomic writes under its root, URLs that resolve, a size cap.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildLogKey, checkKey, clientLogKey, createLogStore, gamelogKey, LogKeyError, LogStoreSpecError, LogTooLargeError, safeName } from '../../src/arena/log-store/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'arena-logs-'));
  dirs.push(d);
  return d;
}

describe('log keys', () => {
  it.each([
    [gamelogKey(12, 1), 'games/12/attempt-1/gamelog.gz'],
    [gamelogKey('g-7', 3), 'games/g-7/attempt-3/gamelog.gz'],
    [clientLogKey(12, 2, 0, 'Team Rocket'), 'games/12/attempt-2/0-Team_Rocket.log'],
    [clientLogKey(12, 2, 1, '../../../etc/passwd'), 'games/12/attempt-2/1-etc_passwd.log'],
    [clientLogKey(12, 1, 1, '...'), 'games/12/attempt-1/1-unnamed.log'],
    [clientLogKey(12, 1, 0, 'évite/ça\0'), 'games/12/attempt-1/0-evite_ca_.log'],
    [buildLogKey(99, 4), 'submissions/99-v4/build.log'],
  ])('%s', (actual, expected) => expect(actual).toBe(expected));

  it.each([
    () => gamelogKey('../x', 1),
    () => gamelogKey('a/b', 1),
    () => gamelogKey(-1, 1),
    () => gamelogKey(1.5, 1),
    () => gamelogKey(1, 0),
    () => clientLogKey(1, 1, -1, 'a'),
    () => buildLogKey('', 1),
    () => buildLogKey('x'.repeat(65), 1),
  ])('refuses unsafe ids and counts (%#)', (make) => expect(make).toThrow(LogKeyError));

  it.each(['../a', 'a/../b', '/abs', 'a//b', '.hidden', 'a/./b', 'a\\b', 'x'.repeat(600), ''])('checkKey refuses %j', (key) => {
    expect(() => checkKey(key)).toThrow(LogKeyError);
  });

  it('any team name gives a key that stays one safe segment', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        const key = clientLogKey(1, 1, 0, name);
        expect(checkKey(key)).toBe(key);
        expect(key.split('/')).toHaveLength(4);
        expect(safeName(name).length).toBeLessThanOrEqual(64);
      }),
    );
  });
});

describe('file:// log store', () => {
  it('writes under its root and returns a file URL that resolves to the bytes', async () => {
    const root = tempDir();
    const store = createLogStore(`file://${root}`);
    const url = await store.put(gamelogKey(3, 1), Buffer.from('gz'));
    expect(url).toBe(`file://${root}/games/3/attempt-1/gamelog.gz`);
    expect(store.url(gamelogKey(3, 1))).toBe(url);
    expect(readFileSync(fileURLToPath(url), 'utf8')).toBe('gz');
    const url2 = await store.put(clientLogKey(3, 1, 1, 'b'), Readable.from(['hello ', 'world']));
    expect(readFileSync(fileURLToPath(url2), 'utf8')).toBe('hello world');
    expect(readdirSync(join(root, 'games/3/attempt-1')).sort()).toEqual(['1-b.log', 'gamelog.gz']);
  });

  it('takes a relative path (the default ./arena-logs) from the working directory', () => {
    const store = createLogStore();
    expect(fileURLToPath(store.url(buildLogKey(1, 1)))).toBe(resolve('arena-logs/submissions/1-v1/build.log'));
  });

  it('refuses a key that would leave the root, before touching the disk', async () => {
    const root = tempDir();
    const store = createLogStore(`file://${root}`);
    await expect(store.put('../escape.log', Buffer.from('x'))).rejects.toBeInstanceOf(LogKeyError);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses a stream over the cap and leaves no partial file', async () => {
    const root = tempDir();
    const store = createLogStore(`file://${root}`, { maxBytes: 10 });
    await expect(store.put(gamelogKey(1, 1), Readable.from([Buffer.alloc(6), Buffer.alloc(6)]))).rejects.toBeInstanceOf(LogTooLargeError);
    await expect(store.put(gamelogKey(1, 1), Buffer.alloc(11))).rejects.toBeInstanceOf(LogTooLargeError);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('LOG_STORE specs', () => {
  it.each(['http://x', 's3://', 's3://UPPER/x', 's3://a', 's3://bucket/bad prefix', 'file://', 'ftp://x'])('refuses %j', (spec) => {
    expect(() => createLogStore(spec)).toThrow(LogStoreSpecError);
  });
  it('builds s3 URLs from bucket and prefix, or from a public base URL', () => {
    expect(createLogStore('s3://logs/a/b/').url(gamelogKey(1, 1))).toBe('s3://logs/a/b/games/1/attempt-1/gamelog.gz');
    expect(createLogStore('s3://logs', { publicBaseUrl: 'https://cdn.example/logs/' }).url(buildLogKey(2, 1))).toBe('https://cdn.example/logs/submissions/2-v1/build.log');
  });
});
