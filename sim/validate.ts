// Input checks shared by the ECS handlers, answering with the error codes ECS uses.
import { invalidParameter } from './errors.js';

export const MAX_TAGS = 50;

export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${key} must be a string.`);
  return value;
}

export function stringList(input: Record<string, unknown>, key: string): string[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParameter(`${key} must be a list of strings.`);
  return value as string[];
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

/** ECS tag rules: up to 50 per resource, key 1..128 characters, value up to 256, no `aws:` prefix. */
export function parseTags(value: unknown): Map<string, string> {
  if (value === undefined || value === null) return new Map();
  if (!Array.isArray(value)) throw invalidParameter('tags must be a list.');
  const tags = new Map<string, string>();
  for (const raw of value) {
    const tag = record(raw, 'tag');
    const key = tag['key'];
    const tagValue = tag['value'] ?? '';
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    if (typeof tagValue !== 'string' || tagValue.length > 256) {
      throw invalidParameter('Tag values must be at most 256 characters.');
    }
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter("Tag keys may not begin with 'aws:'.");
    tags.set(key, tagValue);
  }
  if (tags.size > MAX_TAGS) throw invalidParameter(`The number of tags exceeds the limit of ${MAX_TAGS}.`);
  return tags;
}

/** maxResults for ECS list calls: 1..100, default 100. */
export function pageSize(input: Record<string, unknown>): number {
  const value = input['maxResults'];
  if (value === undefined || value === null) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw invalidParameter('maxResults must be between 1 and 100.');
  }
  return value;
}

/** nextToken is opaque to callers; here it carries the sequence number of the last item returned. */
export function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ after: seq })).toString('base64url');
}

export function decodeToken(input: Record<string, unknown>): number {
  const token = input['nextToken'];
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'number') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid nextToken.');
}

/** Returns one page of `items` (sorted by seq) after the token, and the token for the next page. */
export function paginate<T extends { seq: number }>(
  items: T[],
  input: Record<string, unknown>,
): { page: T[]; nextToken?: string } {
  const size = pageSize(input);
  const after = decodeToken(input);
  const rest = items.filter((item) => item.seq > after);
  const page = rest.slice(0, size);
  const last = page[page.length - 1];
  return { page, nextToken: rest.length > size && last ? encodeToken(last.seq) : undefined };
}
