// Cerveau's POST /setup, read the way Cerveau's express app reads it (§5: case-insensitive routing, an optional
// trailing slash, bodyParser.json() with gzip/deflate bodies, utf-* charsets and a BOM), so that every setup Cerveau
// would turn into a session is seen, validated and counted here. The sidecar forwards only the canonical request it
// built from its own parse: whatever Cerveau receives on /setup is exactly what was counted.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { z } from 'zod';
import { describeIssues } from '../shared/zod-errors.js';

/** The path's segments, percent-decoded and lowercased; null for a path that does not decode. */
export function pathSegments(url: string | undefined): string[] | null {
  const path = (url ?? '/').split('?')[0] ?? '/';
  try {
    return decodeURIComponent(path)
      .toLowerCase()
      .split('/')
      .filter((segment) => segment !== '');
  } catch {
    return null;
  }
}

/**
 * True for every path express could route to `app.post("/setup")`, and a few more (`//setup//`, `/set%75p`): a
 * false positive costs a refused request, a false negative an uncounted session.
 */
export function isSetupPath(url: string | undefined): boolean {
  const segments = pathSegments(url);
  if (segments === null) return (url ?? '').toLowerCase().includes('setup');
  return segments.length === 1 && segments[0] === 'setup';
}

export interface CanonicalSetup {
  gameName: string;
  session: string;
  password?: string;
  gameSettings: Record<string, unknown>;
}

export type SetupParse = { ok: true; setup: CanonicalSetup } | { ok: false; status: 400 | 413 | 415; error: string };

const setupSchema = z
  .object({
    gameName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'gameName must be a game name (letters, digits, _ or -, at most 64)'),
    session: z
      .string()
      .min(1, 'session is required: this gameserver counts its sessions by id')
      .max(200, 'session must be at most 200 characters')
      .refine((s) => s !== '*' && s !== 'new', 'session "*" and "new" are reserved by Cerveau'),
    password: z.string().max(1000, 'password must be at most 1000 characters').optional(),
    gameSettings: z.record(z.string(), z.unknown()),
  });

const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate', 'br']);

function decompress(encoding: string, raw: Buffer, limit: number): Buffer {
  const options = { maxOutputLength: limit };
  if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(raw, options);
  if (encoding === 'deflate') return inflateSync(raw, options);
  if (encoding === 'br') return brotliDecompressSync(raw, options);
  return raw;
}

function decodeText(charset: string, bytes: Buffer): string {
  let label = charset;
  if (charset === 'utf-16') label = bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-16le';
  // fatal: bytes that are not valid in the charset are refused rather than guessed at; the BOM is dropped
  return new TextDecoder(label, { fatal: true }).decode(bytes);
}

/** The media type and charset of a content-type header; null when it is absent or malformed. */
function mediaType(header: string | undefined): { type: string; charset: string } | null {
  if (!header) return null;
  const [type, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (!type || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return null;
  let charset = 'utf-8';
  for (const param of params) {
    const match = /^charset\s*=\s*"?([^"]*)"?$/.exec(param);
    if (match?.[1]) charset = match[1];
  }
  return { type, charset };
}

/**
 * Decodes and validates a setup body. Anything the sidecar cannot read exactly (another media type, an encoding or
 * charset it does not decode) is refused with 415, because Cerveau might read it differently.
 */
export function parseSetupRequest(headers: { 'content-type'?: string; 'content-encoding'?: string }, raw: Buffer, limit: number): SetupParse {
  const media = mediaType(headers['content-type']);
  if (!media || media.type !== 'application/json') {
    return { ok: false, status: 415, error: 'A setup must be sent as application/json.' };
  }
  if (!['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be'].includes(media.charset)) {
    return { ok: false, status: 415, error: `Unsupported charset "${media.charset}"; use utf-8.` };
  }
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!ENCODINGS.has(encoding)) return { ok: false, status: 415, error: `Unsupported content-encoding "${encoding}".` };
  let text: string;
  try {
    text = decodeText(media.charset === 'utf8' ? 'utf-8' : media.charset, decompress(encoding, raw, limit));
  } catch (err) {
    const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test((err as Error).message);
    if (tooLarge) return { ok: false, status: 413, error: `The setup body decodes to more than ${limit} bytes.` };
    return { ok: false, status: 415, error: `The setup body could not be decoded as ${encoding} ${media.charset}.` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, status: 400, error: 'The setup body is not valid JSON.' };
  }
  const parsed = setupSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, status: 400, error: describeIssues(parsed.error).join('; ') };
  }
  const { gameName, session, password, gameSettings } = parsed.data;
  return { ok: true, setup: password ? { gameName, session, password, gameSettings } : { gameName, session, gameSettings } };
}
