// The s3:// log store through the real SDK against the simulator's wire-level S3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { startSim, type Sim } from '../../sim/index.js';
import { createSimS3Client } from '../../sim/sdk-clients.js';
import { buildLogKey, clientLogKey, createLogStore, gamelogKey, LogTooLargeError } from '../../src/arena/log-store/index.js';

let sim: Sim;
let s3: S3Client;

beforeAll(async () => {
  sim = await startSim({ throttling: false });
  s3 = createSimS3Client(sim);
  await s3.send(new CreateBucketCommand({ Bucket: 'arena-logs' }));
});
afterAll(async () => {
  s3?.destroy();
  await sim?.close();
});

function parseS3Url(url: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`not an s3 url: ${url}`);
  return { Bucket: m[1]!, Key: m[2]! };
}

async function fetchObject(url: string): Promise<{ body: Buffer; contentType: string | undefined }> {
  const out = await s3.send(new GetObjectCommand(parseS3Url(url)));
  return { body: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
}

describe('s3:// log store against the simulator', () => {
  it('puts a gamelog, a client log and a build log under stable keys whose URLs resolve', async () => {
    const store = createLogStore('s3://arena-logs/season-1', { s3Client: s3 });
    const gamelog = gzipSync(Buffer.from(JSON.stringify({ gameName: 'Chess', winners: ['a'] })));
    const u1 = await store.put(gamelogKey(42, 1), gamelog, 'application/gzip');
    expect(u1).toBe('s3://arena-logs/season-1/games/42/attempt-1/gamelog.gz');
    expect(store.url(gamelogKey(42, 1))).toBe(u1);
    const got = await fetchObject(u1);
    expect(got.body.equals(gamelog)).toBe(true);
    expect(got.contentType).toBe('application/gzip');

    const u2 = await store.put(clientLogKey(42, 1, 0, '../../etc/passwd'), Readable.from([Buffer.from('line 1\n'), Buffer.from('line 2\n')]), 'text/plain');
    expect(u2).toBe('s3://arena-logs/season-1/games/42/attempt-1/0-etc_passwd.log');
    expect((await fetchObject(u2)).body.toString()).toBe('line 1\nline 2\n');

    const u3 = await store.put(buildLogKey(7, 3), Buffer.from('make: ok\n'));
    const head = await s3.send(new HeadObjectCommand(parseS3Url(u3)));
    expect(head.ContentLength).toBe(9);
  });

  it('overwrites an object put again under the same key (a retried attempt uses its own key)', async () => {
    const store = createLogStore('s3://arena-logs', { s3Client: s3 });
    await store.put('games/1/attempt-1/gamelog.gz', Buffer.from('first'));
    const url = await store.put('games/1/attempt-1/gamelog.gz', Buffer.from('second'));
    expect((await fetchObject(url)).body.toString()).toBe('second');
  });

  it('carries a binary body of several MiB intact', async () => {
    const store = createLogStore('s3://arena-logs/big', { s3Client: s3 });
    const body = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 0xff;
    const url = await store.put(gamelogKey(9, 2), body);
    expect((await fetchObject(url)).body.equals(body)).toBe(true);
  });

  it('refuses a body over the cap, and writes nothing', async () => {
    const store = createLogStore('s3://arena-logs/capped', { s3Client: s3, maxBytes: 1024 });
    await expect(store.put(gamelogKey(5, 1), Readable.from([Buffer.alloc(600), Buffer.alloc(600)]))).rejects.toBeInstanceOf(LogTooLargeError);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'arena-logs', Key: 'capped/games/5/attempt-1/gamelog.gz' }))).rejects.toThrow();
  });

  it('answers missing keys and buckets with S3 errors the SDK understands', async () => {
    const missingKey = await s3.send(new GetObjectCommand({ Bucket: 'arena-logs', Key: 'nope' })).catch((e: unknown) => e);
    expect(missingKey).toBeInstanceOf(S3ServiceException);
    expect((missingKey as S3ServiceException).name).toBe('NoSuchKey');
    const missingBucket = await s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })).catch((e: unknown) => e);
    expect((missingBucket as S3ServiceException).name).toBe('NoSuchBucket');
    const store = createLogStore('s3://no-such-bucket', { s3Client: s3 });
    await expect(store.put(gamelogKey(1, 1), Buffer.from('x'))).rejects.toThrow();
  });

  it('takes its endpoint from AWS_ENDPOINT_URL_S3 when no client is passed', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_S3: sim.url, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_REGION: 'us-east-1' });
    try {
      const store = createLogStore('s3://arena-logs/env');
      const url = await store.put(buildLogKey('abc', 1), Buffer.from('built'));
      expect((await fetchObject(url)).body.toString()).toBe('built');
    } finally {
      for (const k of ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
