// Unpacks a submission zip (hostile) into a directory. Refused, with a reason a team can act on: entries that
// leave the directory (zip-slip), symlinks and other special files, encrypted entries, too many files, too many
// bytes (declared or actual: zip bombs), over-long names. Joueur zips often hold one top folder with the
// Makefile in it; that folder becomes the root.
import { createWriteStream } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

export interface UnzipLimits {
  maxFiles: number;
  /** Sum of the uncompressed sizes. */
  maxBytes: number;
  maxPathLength: number;
  maxDepth: number;
}

export const DEFAULT_UNZIP_LIMITS: UnzipLimits = { maxFiles: 5_000, maxBytes: 200 * 1024 * 1024, maxPathLength: 1024, maxDepth: 32 };

export class ZipRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipRefusedError';
  }
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const UNIX_HOSTS = new Set([3, 19]); // made by Unix, OS X: the high 16 bits of the external attributes are st_mode

interface Planned {
  entry: Entry;
  path: string;
  directory: boolean;
  executable: boolean;
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true, decodeStrings: true }, (err, zipfile) => {
      if (err) reject(new ZipRefusedError(`not a readable zip: ${err.message}`));
      else resolvePromise(zipfile);
    });
  });
}

function listEntries(zipfile: ZipFile, limits: UnzipLimits): Promise<Entry[]> {
  if (zipfile.entryCount > limits.maxFiles) return Promise.reject(new ZipRefusedError(`the zip holds ${zipfile.entryCount} entries; at most ${limits.maxFiles} are accepted`));
  return new Promise((resolvePromise, reject) => {
    const entries: Entry[] = [];
    zipfile.on('entry', (entry: Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.once('end', () => resolvePromise(entries));
    zipfile.once('error', (err: Error) => reject(new ZipRefusedError(`bad zip entry: ${err.message}`)));
    zipfile.readEntry();
  });
}

function plan(entries: Entry[], limits: UnzipLimits): Planned[] {
  let declared = 0;
  const planned: Planned[] = [];
  for (const entry of entries) {
    const name = entry.fileName;
    if (name.startsWith('__MACOSX/')) continue; // Finder's resource forks, never part of a client
    if ((entry.generalPurposeBitFlag & 0x1) !== 0) throw new ZipRefusedError(`encrypted entry ${JSON.stringify(name)}`);
    if (name.length > limits.maxPathLength) throw new ZipRefusedError(`entry name longer than ${limits.maxPathLength} characters`);
    const parts = name.split('/').filter((p) => p !== '');
    if (name.startsWith('/') || name.includes('\\') || name.includes('\0') || parts.some((p) => p === '..' || p === '.')) {
      throw new ZipRefusedError(`entry ${JSON.stringify(name.slice(0, 200))} would be written outside the submission`);
    }
    if (parts.length > limits.maxDepth) throw new ZipRefusedError(`entry nested deeper than ${limits.maxDepth} folders`);
    const directory = name.endsWith('/');
    const hostOs = entry.versionMadeBy >> 8;
    const mode = UNIX_HOSTS.has(hostOs) ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
    const type = mode & S_IFMT;
    if (mode !== 0 && type !== S_IFREG && type !== S_IFDIR && type !== 0) {
      throw new ZipRefusedError(`entry ${JSON.stringify(name.slice(0, 200))} is a symlink or special file; only files and folders are accepted`);
    }
    declared += entry.uncompressedSize;
    if (declared > limits.maxBytes) throw new ZipRefusedError(`the zip unpacks to more than ${limits.maxBytes} bytes`);
    planned.push({ entry, path: parts.join('/'), directory, executable: (mode & 0o111) !== 0 });
  }
  return stripTopFolder(planned);
}

/** A zip with no top-level Makefile whose entries all sit in one folder that has one: that folder is the root. */
function stripTopFolder(planned: Planned[]): Planned[] {
  const files = planned.filter((p) => !p.directory);
  if (files.some((p) => p.path === 'Makefile')) return planned;
  const tops = new Set(planned.map((p) => p.path.split('/')[0]));
  const [top] = tops;
  if (tops.size !== 1 || top === undefined || !files.some((p) => p.path === `${top}/Makefile`)) {
    throw new ZipRefusedError('no Makefile at the top of the zip (nor in its one top folder)');
  }
  return planned
    .filter((p) => p.path !== top)
    .map((p) => ({ ...p, path: p.path.slice(top.length + 1) }));
}

function byteCounter(limit: { left: number; max: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      limit.left -= chunk.length;
      if (limit.left < 0) done(new ZipRefusedError(`the zip unpacks to more than ${limit.max} bytes`));
      else done(null, chunk);
    },
  });
}

function openEntry(zipfile: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) => {
    zipfile.openReadStream(entry, (err, stream) => {
      if (err) reject(new ZipRefusedError(`cannot read entry ${JSON.stringify(entry.fileName.slice(0, 200))}: ${err.message}`));
      else resolvePromise(stream);
    });
  });
}

/** Unpacks into `dest` (created; must not hold anything that matters). Throws ZipRefusedError with the reason. */
export async function unzipSubmission(zip: Buffer, dest: string, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS): Promise<{ files: number; bytes: number }> {
  const root = resolve(dest);
  if (zip.length > limits.maxBytes) throw new ZipRefusedError(`the zip is ${zip.length} bytes; at most ${limits.maxBytes} are accepted`);
  const zipfile = await openZip(zip);
  try {
    const planned = plan(await listEntries(zipfile, limits), limits);
    await mkdir(root, { recursive: true });
    const budget = { left: limits.maxBytes, max: limits.maxBytes };
    let files = 0;
    for (const item of planned) {
      const target = join(root, item.path);
      if (target !== root && !target.startsWith(root + sep)) throw new ZipRefusedError('entry would be written outside the submission');
      if (item.directory) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const source = await openEntry(zipfile, item.entry);
      try {
        // 'wx': never follow or replace what is there (a duplicate entry name is refused)
        await pipeline(source, byteCounter(budget), createWriteStream(target, { flags: 'wx', mode: 0o644 }));
      } catch (err) {
        if (err instanceof ZipRefusedError) throw err;
        throw new ZipRefusedError(`cannot unpack ${JSON.stringify(item.path.slice(0, 200))}: ${(err as Error).message}`);
      }
      if (item.executable) await chmod(target, 0o755);
      files += 1;
    }
    return { files, bytes: limits.maxBytes - budget.left };
  } finally {
    zipfile.close();
  }
}
