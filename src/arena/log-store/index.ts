// createLogStore('file:///path' | 's3://bucket/prefix'): where the arena keeps gamelogs, client outputs and build logs.
import { fileURLToPath } from 'node:url';
import { createFileLogStore } from './file-store.js';
import { createS3LogStore } from './s3-store.js';
import type { LogStore, LogStoreOptions } from './types.js';

export type { LogStore, LogStoreOptions } from './types.js';
export { LogKeyError, buildLogKey, checkKey, clientLogKey, gamelogKey, safeName } from './keys.js';
export { LogTooLargeError } from './body.js';

export const DEFAULT_LOG_STORE = 'file://./arena-logs';
export const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class LogStoreSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogStoreSpecError';
  }
}

/** Parses the LOG_STORE value; throws LogStoreSpecError with the reason for anything else. */
export function createLogStore(spec: string = DEFAULT_LOG_STORE, opts: LogStoreOptions = {}): LogStore {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new LogStoreSpecError('maxBytes must be a positive integer');
  if (spec.startsWith('file://')) {
    const rest = spec.slice('file://'.length);
    // file:///abs/path is a URL; file://./rel and file://rel are taken as paths relative to the working directory
    const path = rest.startsWith('/') ? fileURLToPath(`file://${rest}`) : rest;
    if (path === '' || path.includes('\0')) throw new LogStoreSpecError('LOG_STORE file:// needs a directory');
    return createFileLogStore(path, { maxBytes });
  }
  if (spec.startsWith('s3://')) {
    const rest = spec.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const rawPrefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!BUCKET.test(bucket)) throw new LogStoreSpecError(`LOG_STORE s3 bucket ${JSON.stringify(bucket)} is not a valid bucket name`);
    if (rawPrefix !== '' && !/^[A-Za-z0-9._/-]{1,256}$/.test(rawPrefix)) throw new LogStoreSpecError('LOG_STORE s3 prefix may hold only A-Z a-z 0-9 . _ - /');
    return createS3LogStore(bucket, rawPrefix === '' ? '' : `${rawPrefix}/`, { ...opts, maxBytes });
  }
  throw new LogStoreSpecError('LOG_STORE must be file:///path or s3://bucket/prefix');
}
