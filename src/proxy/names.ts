// Human names for servers: the fleet as prefix and a word from a list (arbiter-alpha, arbiter-bravo…).
// A name's index in the list is what gives it a stable proxy port, so the list order matters.

export const DEFAULT_NAME_WORDS = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima', 'mike',
  'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu',
];

export class NameCollisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NameCollisionError';
  }
}

export interface NameBook {
  prefix: string;
  words: readonly string[];
}

export function fullName(book: NameBook, word: string): string {
  return `${book.prefix}-${word}`;
}

/** The list position of a name from this book, or null for a name it did not give. */
export function nameIndex(book: NameBook, name: string): number | null {
  const start = `${book.prefix}-`;
  if (!name.startsWith(start)) return null;
  const i = book.words.indexOf(name.slice(start.length));
  return i < 0 ? null : i;
}

/**
 * The name for a new server: the one it replaces when given (a replacement keeps its name), else the first
 * unused word. Null when every word is taken. Two live servers with one name is an error, never overwritten.
 */
export function pickName(book: NameBook, inUse: readonly string[], replacing?: string): string | null {
  const seen = new Set<string>();
  for (const n of inUse) {
    if (seen.has(n)) throw new NameCollisionError(`two servers are named ${n}`);
    seen.add(n);
  }
  if (replacing !== undefined) {
    if (seen.has(replacing)) throw new NameCollisionError(`${replacing} is still in use; its replacement cannot take the name`);
    return replacing;
  }
  for (const w of book.words) if (!seen.has(fullName(book, w))) return fullName(book, w);
  return null;
}
