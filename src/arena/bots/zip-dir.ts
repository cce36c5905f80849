// Zips a directory the way a team's upload looks (one zip of a Joueur client folder), keeping executable bits:
// the arena's --demo seeds its submissions with it, and tests build their zips with it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import yazl from 'yazl';

export interface ZipDirOptions {
  /** Put everything under this folder name inside the zip (as a zip of a folder does). */
  topFolder?: string;
  /** Names to leave out (e.g. build outputs). */
  exclude?: string[];
}

async function collect(root: string, dir: string, exclude: Set<string>, out: string[]): Promise<void> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (exclude.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collect(root, path, exclude, out);
    else if (entry.isFile()) out.push(relative(root, path));
  }
}

export async function zipDirectory(dir: string, opts: ZipDirOptions = {}): Promise<Buffer> {
  const files: string[] = [];
  await collect(dir, dir, new Set(opts.exclude ?? []), files);
  const zip = new yazl.ZipFile();
  const prefix = opts.topFolder ? `${opts.topFolder.replace(/\/+$/, '')}/` : '';
  for (const file of files) {
    const path = join(dir, file);
    const info = await stat(path);
    zip.addBuffer(await readFile(path), prefix + file.split('\\').join('/'), { mode: info.mode, mtime: info.mtime });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
