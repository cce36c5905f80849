// Human names for servers: the fleet as prefix and a word from a list (arbiter-alpha, arbiter-bravo…).
// A name's index in the list is what gives it a stable proxy port, so the list order matters. Past the end of the
// list the words come round again with a number (arbiter-alpha-2 is index words.length), so no fleet runs out.
// Pure functions only: the manager's ServerNames owns the names and applies what these decide.

export { DEFAULT_NAME_WORDS } from '../shared/server-name-words.js';

export interface NameBook {
  prefix: string;
  words: readonly string[];
}

export function fullName(book: NameBook, word: string): string {
  return `${book.prefix}-${word}`;
}

/** The name at list position `index`: the word itself on the first round, `word-2`, `word-3`… after. */
export function nameAt(book: NameBook, index: number): string {
  const n = book.words.length;
  const round = Math.floor(index / n);
  const word = book.words[index % n] as string;
  return fullName(book, round === 0 ? word : `${word}-${round + 1}`);
}

/** The list position of a name from this book, or null for a name it did not give. */
export function nameIndex(book: NameBook, name: string): number | null {
  const start = `${book.prefix}-`;
  if (!name.startsWith(start)) return null;
  const rest = name.slice(start.length);
  const i = book.words.indexOf(rest);
  if (i >= 0) return i;
  const m = /^(.+)-([2-9]|[1-9]\d{1,5})$/.exec(rest);
  if (!m) return null;
  const w = book.words.indexOf(m[1] as string);
  return w < 0 ? null : (Number(m[2]) - 1) * book.words.length + w;
}

/** What naming needs to know of a live server (not stopping, not gone). */
export interface NamedServer {
  id: string;
  name: string;
  launchedAt: number;
}

export interface Rename {
  id: string;
  from: string;
  to: string;
  /** `collision`: another live server holds the name; `unnamed`: the name is not from this book (or empty). */
  why: 'collision' | 'unnamed';
  /** For a collision: the server that keeps the name (launched first). */
  keptBy?: string;
}

/** The lowest list positions not in `taken`, as names. */
function freshNames(book: NameBook, taken: Set<string>, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i += 1) {
    const name = nameAt(book, i);
    if (!taken.has(name)) {
      out.push(name);
      taken.add(name);
    }
  }
  return out;
}

/**
 * Names for `count` new servers: names waiting for reuse first (a replacement takes the name of the server it
 * replaces), then the lowest free list positions. Never a name a live server holds.
 */
export function namesForLaunch(book: NameBook, live: readonly NamedServer[], reuse: readonly string[], count: number): string[] {
  const taken = new Set(live.map((s) => s.name));
  const out: string[] = [];
  for (const name of reuse) {
    if (out.length >= count) break;
    if (taken.has(name) || nameIndex(book, name) === null) continue;
    out.push(name);
    taken.add(name);
  }
  return out.concat(freshNames(book, taken, count - out.length));
}

/**
 * Makes names unique and from the book. Two live servers with one name is a collision: the one launched first (then
 * the lower id) keeps it and the other is renamed, never silently overwritten; the caller logs and counts each.
 * Servers with no book name get one. Returns only the servers whose name changes.
 */
export function resolveNames(book: NameBook, live: readonly NamedServer[]): Rename[] {
  const ordered = [...live].sort((a, b) => a.launchedAt - b.launchedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const holder = new Map<string, string>();
  const losers: Array<Omit<Rename, 'to'>> = [];
  for (const s of ordered) {
    const kept = holder.get(s.name);
    if (nameIndex(book, s.name) === null) losers.push({ id: s.id, from: s.name, why: 'unnamed' });
    else if (kept !== undefined) losers.push({ id: s.id, from: s.name, why: 'collision', keptBy: kept });
    else holder.set(s.name, s.id);
  }
  if (losers.length === 0) return [];
  const fresh = freshNames(book, new Set(holder.keys()), losers.length);
  return losers.map((l, i) => ({ ...l, to: fresh[i] as string }));
}
