// Client logs are capped like gamelogs: a bot that floods its output leaves a log of at most the cap, with its first
// and last bytes and a line marking the cut, and the runner's memory does not grow with the flood.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CappedLog } from '../../src/runner/capped-log.js';
import { startClient } from '../../src/runner/client-processes.js';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('capped client logs', () => {
  it('a bot printing 40 MB leaves its head, the cut and its tail within the cap', async () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-client-log-'));
    const logFile = join(dir, 'client.log');
    const cap = 64 * 1024;
    const flood = `echo FIRST-LINE; head -c 40000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE`;
    const client = startClient({ index: 0, name: 'flood', command: flood, logFile, maxLogBytes: cap });
    expect(await client.exit).toMatchObject({ code: 0 });
    const text = readFileSync(logFile, 'utf8');
    expect(text.startsWith('FIRST-LINE\n')).toBe(true);
    expect(text.trimEnd().endsWith('LAST-LINE')).toBe(true);
    expect(text).toMatch(/\[arbiter: \d+ bytes of output cut here; the log keeps its first and last bytes\]/);
    expect(statSync(logFile).size).toBeLessThan(cap + 200);
  }, 30_000);

  it('holds at most half the cap in memory however much is written', () => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-client-log-'));
    const log = new CappedLog(join(dir, 'l'), 4096);
    const chunk = Buffer.alloc(65_536, 'x');
    for (let i = 0; i < 200; i += 1) {
      log.write(chunk);
      expect(log.bufferedBytes).toBeLessThanOrEqual(2048);
    }
    expect(log.cutBytes).toBe(200 * 65_536 - 4096);
    log.close();
    expect(statSync(join(dir, 'l')).size).toBeLessThan(4096 + 200);
  });

  it.each([
    { name: 'under the cap: kept whole, no mark', chunks: ['abc', 'def'], want: 'abcdef' },
    { name: 'over the cap: head, mark, tail', chunks: ['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(600)], want: /^a{512}\n\[arbiter: 776 bytes of output cut here.*\]\nc{512}$/s },
  ])('$name', ({ chunks, want }) => {
    dir = mkdtempSync(join(tmpdir(), 'arbiter-client-log-'));
    const log = new CappedLog(join(dir, 'l'), 1024);
    for (const c of chunks) log.write(Buffer.from(c));
    log.close();
    const text = readFileSync(join(dir, 'l'), 'utf8');
    if (typeof want === 'string') expect(text).toBe(want);
    else expect(text).toMatch(want);
  });
});
