// Log store on a local directory: each object is written to a temporary file and renamed, so a reader never
// sees half a log, and its URL is a file:// URL of the final path.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCapped } from './body.js';
import { checkKey } from './keys.js';
import type { LogStore, LogStoreOptions } from './types.js';

export function createFileLogStore(root: string, opts: Required<Pick<LogStoreOptions, 'maxBytes'>>): LogStore {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    const path = join(base, checkKey(key));
    // checkKey already forbids '..'; this guards against a future change of it
    if (!path.startsWith(base + '/')) throw new Error('log key escapes the store root');
    return path;
  };
  return {
    kind: 'file',
    url: (key) => pathToFileURL(pathOf(key)).href,
    async put(key, body) {
      const path = pathOf(key);
      const data = await readCapped(body, opts.maxBytes);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomUUID()}.tmp`;
      try {
        await writeFile(temp, data, { mode: 0o644 });
        await rename(temp, path);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return pathToFileURL(path).href;
    },
  };
}
