// Stable log keys. Every part comes from the database or a team (hostile): ids must be plain ids, names are
// reduced to a safe alphabet, so that no key can leave the store's root or collide with another kind of key.

export class LogKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogKeyError';
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const MAX_KEY_LENGTH = 512;
const MAX_NAME_LENGTH = 64;

function id(value: string | number, what: string): string {
  const text = String(value);
  if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0)) throw new LogKeyError(`${what} must be a non-negative integer`);
  if (!ID.test(text)) throw new LogKeyError(`${what} must be 1-64 characters of A-Z a-z 0-9 _ -`);
  return text;
}

function count(value: number, what: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > 1_000_000) throw new LogKeyError(`${what} must be an integer from ${min}`);
  return value;
}

/** A team or file name made safe: only A-Z a-z 0-9 . _ -, no leading dot, at most 64 characters, never empty. */
export function safeName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[.]+$/, '');
  return cleaned === '' ? 'unnamed' : cleaned;
}

export function gamelogKey(gameId: string | number, attempt: number): string {
  return `games/${id(gameId, 'game id')}/attempt-${count(attempt, 'attempt', 1)}/gamelog.gz`;
}

export function clientLogKey(gameId: string | number, attempt: number, seat: number, name: string): string {
  return `games/${id(gameId, 'game id')}/attempt-${count(attempt, 'attempt', 1)}/${count(seat, 'seat', 0)}-${safeName(name)}.log`;
}

export function buildLogKey(submissionId: string | number, version: number): string {
  return `submissions/${id(submissionId, 'submission id')}-v${count(version, 'version', 0)}/build.log`;
}

/** Throws LogKeyError unless the key is relative, made of safe segments, and bounded: the store's last line of defence. */
export function checkKey(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new LogKeyError(`a log key must be 1-${MAX_KEY_LENGTH} characters`);
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') throw new LogKeyError(`unsafe log key segment ${JSON.stringify(segment.slice(0, 40))}`);
  }
  return key;
}
