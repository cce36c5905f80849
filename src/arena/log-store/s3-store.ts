// Log store on S3 (or anything that speaks its API, path-style). Bodies are buffered under the cap and sent with
// one PutObject, so the SDK can sign and checksum a known length.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readCapped } from './body.js';
import { checkKey } from './keys.js';
import type { LogStore, LogStoreOptions } from './types.js';

export function createS3LogStore(bucket: string, prefix: string, opts: LogStoreOptions & { maxBytes: number }): LogStore {
  const client = opts.s3Client ?? new S3Client({ forcePathStyle: true });
  const objectKey = (key: string): string => `${prefix}${checkKey(key)}`;
  const base = opts.publicBaseUrl?.replace(/\/+$/, '');
  const url = (key: string): string => (base ? `${base}/${objectKey(key)}` : `s3://${bucket}/${objectKey(key)}`);
  return {
    kind: 's3',
    url,
    async put(key, body, contentType) {
      const name = objectKey(key);
      const data = await readCapped(body, opts.maxBytes);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: data, ContentType: contentType ?? 'application/octet-stream' }));
      return url(key);
    },
  };
}
