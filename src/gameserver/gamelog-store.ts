// Where finished games' logs live: a directory when one is configured (they outlive the process),
// otherwise a bounded in-memory map (a demo server must not grow without limit).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Gamelog names are built by us, but a request can ask for anything: only these characters are served. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export function isSafeGamelogName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

export interface GamelogStore {
  /** Compresses and stores `gamelog` under `name`. */
  save(name: string, gamelog: unknown): Promise<void>;
  /** The gzip bytes, or null when there is no such gamelog. */
  load(name: string): Promise<Buffer | null>;
}

export class MemoryGamelogStore implements GamelogStore {
  private readonly logs = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 500) {}

  async save(name: string, gamelog: unknown): Promise<void> {
    const bytes = await gzipAsync(JSON.stringify(gamelog));
    this.logs.set(name, bytes);
    // Maps iterate in insertion order, so the first key is the oldest log.
    while (this.logs.size > this.maxEntries) {
      const oldest = this.logs.keys().next().value;
      if (oldest === undefined) break;
      this.logs.delete(oldest);
    }
  }

  async load(name: string): Promise<Buffer | null> {
    if (!isSafeGamelogName(name)) return null;
    return this.logs.get(name) ?? null;
  }
}

export class DirectoryGamelogStore implements GamelogStore {
  constructor(private readonly dir: string) {}

  async save(name: string, gamelog: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const bytes = await gzipAsync(JSON.stringify(gamelog));
    await writeFile(this.fileFor(name), bytes);
  }

  async load(name: string): Promise<Buffer | null> {
    if (!isSafeGamelogName(name)) return null;
    try {
      return await readFile(this.fileFor(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private fileFor(name: string): string {
    return join(this.dir, `${name}.json.gz`);
  }
}
