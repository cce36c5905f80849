// Property: for any request that Cerveau (express + bodyParser.json()) would turn into a session, the sidecar either
// counts the session or refuses the request without forwarding it. The fake Cerveau serves /setup through express
// itself, so routing and body decoding are Cerveau's, not a copy of the sidecar's.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createSidecar, type Sidecar } from '../../src/sidecar/sidecar.js';
import { isSetupPath, parseSetupRequest } from '../../src/sidecar/setup-request.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';

interface RawRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

function send(port: number, req: RawRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: req.path, headers: { ...req.headers, 'content-length': String(req.body.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

const pathArb = fc.tuple(fc.constantFrom('/setup', '/SETUP', '/Setup', '/sEtUp', '/setu%70', '//setup'), fc.constantFrom('', '/', '//', '?x=1', '/?a'));
const encodingArb = fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'GZIP', undefined);
const charsetArb = fc.constantFrom('utf-8', 'utf-16le', 'utf-16be', 'utf-16', 'UTF-8', undefined);
const typeArb = fc.constantFrom('application/json', 'Application/JSON', 'text/plain', 'application/vnd+json');
const setupArb = fc.record({
  gameName: fc.constantFrom<unknown>('Chess', ['Chess'], 'chess', 'Nope', 7, null),
  session: fc.oneof(fc.constantFrom<unknown>('s1', 's2', '', '*', ['s1'], 3), fc.string({ minLength: 1, maxLength: 8 })),
  gameSettings: fc.constantFrom<unknown>({ playerNames: ['a', 'b'] }, {}, undefined, 'x'),
  bom: fc.boolean(),
});

function encodeBody(text: string, charset: string | undefined, bom: boolean): Buffer {
  const cs = (charset ?? 'utf-8').toLowerCase();
  const withBom = bom ? `\uFEFF${text}` : text;
  if (cs === 'utf-16be') {
    const le = Buffer.from(withBom, 'utf16le');
    return Buffer.from(le.swap16());
  }
  if (cs === 'utf-16' || cs === 'utf-16le') return Buffer.from(withBom, 'utf16le');
  return Buffer.from(withBom, 'utf8');
}

function compress(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.toLowerCase()) {
    case 'gzip':
      return gzipSync(body);
    case 'deflate':
      return deflateSync(body);
    case 'br':
      return brotliCompressSync(body);
    default:
      return body;
  }
}

const requestArb = fc.record({ path: pathArb, encoding: encodingArb, charset: charsetArb, type: typeArb, setup: setupArb }).map(({ path, encoding, charset, type, setup }) => {
  const { bom, ...fields } = setup;
  const body = compress(encodeBody(JSON.stringify(fields), charset, bom), encoding);
  const headers: Record<string, string> = { 'content-type': charset ? `${type}; charset=${charset}` : type };
  if (encoding) headers['content-encoding'] = encoding;
  return { path: path[0] + path[1], headers, body } satisfies RawRequest;
});

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('sidecar bypass', () => {
  it('every session Cerveau creates is counted, and never more than MAX_SESSIONS', async () => {
    const cerveau: FakeCerveau = await startFakeCerveau({ games: ['Chess'] });
    cleanups.push(() => cerveau.close());
    let sidecar: Sidecar | null = null;
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), async (requests, maxSessions) => {
        cerveau.sessions.clear();
        sidecar = createSidecar({ cerveauUrl: cerveau.url, maxSessions, port: 0, host: '127.0.0.1', statusPollIntervalMs: 60_000 });
        try {
          const { port } = await sidecar.listen();
          for (const req of requests) {
            await send(port, req);
            const created = [...cerveau.sessions.values()].map((s) => `${s.gameName}/${s.gameSession}`).sort();
            const counted = sidecar.sessions().map((s) => `${s.gameName}/${s.session}`).sort();
            expect(counted).toEqual(created);
            expect(created.length).toBeLessThanOrEqual(maxSessions);
          }
        } finally {
          await sidecar.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    { name: 'upper-case path', path: '/SETUP', want: true },
    { name: 'trailing slash', path: '/Setup/', want: true },
    { name: 'percent-encoded', path: '/set%75p', want: true },
    { name: 'query', path: '/setup?x', want: true },
    { name: 'status', path: '/status/Chess/s', want: false },
    { name: 'setup below a prefix', path: '/a/setup', want: false },
  ])('isSetupPath: $name', ({ path, want }) => {
    expect(isSetupPath(path)).toBe(want);
  });

  it('refuses what it cannot read exactly (415) and decodes what Cerveau decodes', () => {
    const body = { gameName: 'Chess', session: 's', gameSettings: { playerNames: ['a', 'b'] } };
    const json = Buffer.from(JSON.stringify(body));
    expect(parseSetupRequest({ 'content-type': 'text/plain' }, json, 1000)).toMatchObject({ ok: false, status: 415 });
    expect(parseSetupRequest({ 'content-type': 'application/json; charset=utf-32' }, json, 1000)).toMatchObject({ ok: false, status: 415 });
    expect(parseSetupRequest({ 'content-type': 'application/json', 'content-encoding': 'compress' }, json, 1000)).toMatchObject({ ok: false, status: 415 });
    expect(parseSetupRequest({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json), 1000)).toMatchObject({ ok: true, setup: body });
    expect(parseSetupRequest({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(Buffer.alloc(10_000, 32)), 1000)).toMatchObject({ ok: false, status: 413 });
    expect(parseSetupRequest({ 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ ...body, gameName: ['Chess'] })), 1000)).toMatchObject({ ok: false, status: 400 });
  });
});
