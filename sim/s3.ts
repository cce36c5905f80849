// S3 at the wire level, path-style (`/bucket/key`), for the arena's log store: CreateBucket, HeadBucket,
// PutObject, GetObject, HeadObject, DeleteObject. Objects live in memory; errors are S3's XML `<Error>`.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const S3_MAX_OBJECT_BYTES = 64 * 1024 * 1024;

interface S3Object {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  checksums: Record<string, string>;
}

export class S3Store {
  readonly buckets = new Map<string, Map<string, S3Object>>();
  count = 0;
}

/** True when the request is S3's: its SigV4 credential scope names the s3 service. */
export function isS3Request(req: IncomingMessage): boolean {
  const auth = req.headers.authorization ?? '';
  return /Credential=[^,]*\/s3\/aws4_request/.test(auth);
}

class S3Error extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly resource = '') {
    super(message);
  }
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function readBinary(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max + 64 * 1024) {
        reject(new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Decodes `aws-chunked` bodies (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`). */
export function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw new S3Error('IncompleteBody', 'aws-chunked body ends inside a chunk header', 400);
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new S3Error('InvalidRequest', 'bad aws-chunked chunk size', 400);
    at = eol + 2;
    if (size === 0) break;
    if (at + size > raw.length) throw new S3Error('IncompleteBody', 'aws-chunked chunk is cut short', 400);
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

function sendError(res: ServerResponse, requestId: string, err: S3Error, head: boolean): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message><Resource>${xmlEscape(err.resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(err.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...(head ? {} : { 'content-length': Buffer.byteLength(xml) }) });
  res.end(head ? undefined : xml);
}

function objectHeaders(obj: S3Object, requestId: string): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': obj.contentType,
    'content-length': obj.body.length,
    etag: obj.etag,
    'last-modified': obj.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-request-id': requestId,
  };
  return headers;
}

export async function handleS3(store: S3Store, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const head = req.method === 'HEAD';
  store.count += 1;
  try {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/^\/+/, '');
    const slash = path.indexOf('/');
    const bucketName = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    if (bucketName === '') throw new S3Error('InvalidRequest', 'path-style requests only: /bucket/key', 400);
    const bucket = store.buckets.get(bucketName);
    if (key === '') {
      if (req.method === 'PUT') {
        await readBinary(req, 1024 * 1024);
        if (bucket) throw new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, `/${bucketName}`);
        store.buckets.set(bucketName, new Map());
        res.writeHead(200, { location: `/${bucketName}`, 'x-amz-request-id': requestId, 'content-length': 0 });
        return void res.end();
      }
      if (head) {
        if (!bucket) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, `/${bucketName}`);
        res.writeHead(200, { 'x-amz-request-id': requestId });
        return void res.end();
      }
      throw new S3Error('NotImplemented', 'A header or query you provided implies functionality that is not implemented', 501, `/${bucketName}`);
    }
    if (!bucket) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, `/${bucketName}`);
    if (url.searchParams.has('uploads') || url.searchParams.has('uploadId')) {
      throw new S3Error('NotImplemented', 'multipart uploads are not simulated', 501, `/${bucketName}/${key}`);
    }
    if (key.length > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400, `/${bucketName}`);
    switch (req.method) {
      case 'PUT': {
        let body = await readBinary(req, S3_MAX_OBJECT_BYTES);
        const checksums: Record<string, string> = {};
        const encoding = String(req.headers['content-encoding'] ?? '');
        const sha = String(req.headers['x-amz-content-sha256'] ?? '');
        if (encoding.split(',').map((s) => s.trim()).includes('aws-chunked') || sha.startsWith('STREAMING-')) {
          const decoded = decodeAwsChunked(body);
          body = decoded.body;
          Object.assign(checksums, Object.fromEntries(Object.entries(decoded.trailers).filter(([k]) => k.startsWith('x-amz-checksum-'))));
        }
        if (body.length > S3_MAX_OBJECT_BYTES) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
        const declared = req.headers['x-amz-decoded-content-length'];
        if (declared !== undefined && Number(declared) !== body.length) throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
        for (const [name, value] of Object.entries(req.headers)) {
          if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-algorithm' && typeof value === 'string') checksums[name] = value;
        }
        const md5 = req.headers['content-md5'];
        const digest = createHash('md5').update(body);
        const hex = digest.copy().digest('hex');
        if (typeof md5 === 'string' && md5 !== digest.digest('base64')) throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
        const obj: S3Object = { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream'), etag: `"${hex}"`, lastModified: new Date(), checksums };
        bucket.set(key, obj);
        res.writeHead(200, { etag: obj.etag, 'x-amz-request-id': requestId, 'content-length': 0, ...checksums });
        return void res.end();
      }
      case 'GET':
      case 'HEAD': {
        const obj = bucket.get(key);
        if (!obj) throw new S3Error(head ? 'NotFound' : 'NoSuchKey', 'The specified key does not exist.', 404, `/${bucketName}/${key}`);
        res.writeHead(200, objectHeaders(obj, requestId));
        return void res.end(head ? undefined : obj.body);
      }
      case 'DELETE': {
        bucket.delete(key);
        res.writeHead(204, { 'x-amz-request-id': requestId });
        return void res.end();
      }
      default:
        throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, `/${bucketName}/${key}`);
    }
  } catch (err) {
    const s3err = err instanceof S3Error ? err : new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
    if (!res.headersSent) sendError(res, requestId, s3err, head);
    else res.end();
  }
}
