// Bounded by design: a gzip bomb or an oversized gamelog fails the match with gamelog_too_large (exit 10) instead of
// taking the runner's memory, and nothing of it is saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipCapped, GamelogTooLargeError } from '../../src/runner/cerveau-client.js';
import { exitCodeFor } from '../../src/runner/exit-codes.js';
import { runMatch } from '../../src/runner/run-match.js';
import { startFakeCerveau, type FakeCerveau } from '../support/fake-cerveau.js';
import { waitFor } from '../support/wait.js';

let cerveau: FakeCerveau;
let manager: Server;
let managerUrl: string;
let out: string;

/** `megabytes` of zeros, gzip-compressed a megabyte at a time (about 1 KB per MB): a bomb, built without the bomb in memory. */
async function gzipBomb(megabytes: number): Promise<Buffer> {
  const zero = Buffer.alloc(1024 * 1024);
  const source = Readable.from((function* () {
    for (let i = 0; i < megabytes; i += 1) yield zero;
  })());
  return buffer(source.pipe(createGzip({ level: 9 })));
}

beforeEach(async () => {
  cerveau = await startFakeCerveau();
  manager = createServer((_req, res) => {
    const body = { available: '127.0.0.1:4000', server_id: 'fake', name: 'fake', host: '127.0.0.1', ports: { game: 4000, web: cerveau.port }, backup: false };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => manager.listen(0, '127.0.0.1', r));
  const address = manager.address();
  managerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  out = mkdtempSync(join(tmpdir(), 'arbiter-gamelog-cap-'));
});
afterEach(async () => {
  await new Promise<void>((r) => manager.close(() => r()));
  await cerveau.close();
  rmSync(out, { recursive: true, force: true });
});

const fast = { settleMs: 200, killGraceMs: 500, statusAttempts: 4, statusBackoffMs: { initial: 100, max: 400 } };

async function matchWithGamelog(bytes: Buffer, maxGamelogBytes: number) {
  const running = runMatch({ managerUrl, game: 'Chess', clients: ['sleep 0.1', 'sleep 0.1'], timeoutMs: 10_000, outDir: out, maxGamelogBytes, ...fast });
  const session = await waitFor(() => [...cerveau.sessions.values()][0], { what: 'the setup' });
  cerveau.join('Chess', session.gameSession, ['client-0', 'client-1']);
  const { gamelogFilename } = cerveau.finish('Chess', session.gameSession, { winnerIndex: 0 });
  cerveau.rawGamelogs.set(gamelogFilename!, bytes);
  return running;
}

describe('gamelog size cap', () => {
  it('a gzip bomb fails the match as gamelog_too_large, with its own exit code, and saves nothing', async () => {
    const bomb = await gzipBomb(512); // ~0.5 MB on the wire, 512 MiB decompressed
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const result = await matchWithGamelog(bomb, 16 * 1024 * 1024);
    expect(result).toMatchObject({ status: 'failed', failure: 'gamelog_too_large' });
    expect(result.reason).toMatch(/decompresses to more than 16777216 bytes/);
    expect(exitCodeFor(result.failure)).toBe(10);
    expect(existsSync(join(out, 'gamelog.json.gz'))).toBe(false);
    // the 512 MiB never lived in memory (a generous margin for the test process itself)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('a gamelog larger than the cap as sent is abandoned mid-download', async () => {
    const big = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(3 * 1024 * 1024, 7)]);
    const result = await matchWithGamelog(big, 1024 * 1024);
    expect(result).toMatchObject({ status: 'failed', failure: 'gamelog_too_large' });
    expect(result.reason).toMatch(/larger than 1048576 bytes as sent/);
  });

  it('a gamelog under the cap completes as before', async () => {
    const log = gzipSync(JSON.stringify({ gameName: 'Chess', winners: [{ index: 0, name: 'client-0' }], losers: [{ index: 1, name: 'client-1' }] }));
    const result = await matchWithGamelog(log, 1024 * 1024);
    expect(result).toMatchObject({ status: 'completed', failure: null });
    expect(existsSync(join(out, 'gamelog.json.gz'))).toBe(true);
  });

  it('gunzipCapped stops at the cap', async () => {
    const bomb = await gzipBomb(8);
    expect(() => gunzipCapped(bomb, 1024 * 1024)).toThrow(GamelogTooLargeError);
    expect(gunzipCapped(bomb, 9 * 1024 * 1024).length).toBe(8 * 1024 * 1024);
  });
});
