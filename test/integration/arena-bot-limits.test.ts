// A prepared submission started the way the runner starts clients (startClient + the rendered command template):
// pyrena's exact arguments, a scrubbed environment, and CPU-time and memory limits that really stop a bot.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botLimitsFromContainer, parseMemory, prepareSubmission, submissionClientCommand, type BotLimits } from '../../src/arena/bots/index.js';
import { renderCommand, type TemplateValues } from '../../src/runner/command-template.js';
import { startClient, stopClient, type RunningClient } from '../../src/runner/client-processes.js';
import { rawZip } from '../support/raw-zip.js';

const dirs: string[] = [];
const clients: RunningClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => stopClient(c, 500)));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'arena-limits-'));
  dirs.push(d);
  return d;
}

const VALUES: TemplateValues = { host: '127.0.0.1', port: 3000, webPort: 3080, session: 'arena_7_1v2-a1', password: "p'w d", name: 'Team Rocket', index: 1, game: 'Chess' };
const ROOMY: BotLimits = { cpuSeconds: 60, memoryBytes: 2 * 1024 ** 3 };

async function botWithRun(run: string): Promise<string> {
  const zip = rawZip([{ name: 'Makefile', data: 'all:\n\t@true\n' }, { name: 'run', data: `#!/bin/sh\n${run}\n`, mode: 0o100755 }]);
  const prepared = await prepareSubmission({ submissionId: 'b', version: 1, zip, cacheDir: tempDir(), maxCacheBytes: 10 * 1024 * 1024, buildTimeoutMs: 30_000, maxLogBytes: 10_000 });
  if (!prepared.ok) throw new Error(prepared.reason);
  return prepared.dir;
}

async function run(dir: string, limits: BotLimits, timeoutMs = 60_000, maxLogBytes?: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  const logFile = join(tempDir(), 'client.log');
  const client = startClient({ index: 1, name: 'Team Rocket', command: renderCommand(submissionClientCommand({ dir }, limits), VALUES), logFile, maxLogBytes });
  clients.push(client);
  const timer = setTimeout(() => void stopClient(client, 100), timeoutMs);
  const exit = await client.exit;
  clearTimeout(timer);
  return { ...exit, output: readFileSync(logFile, 'utf8') };
}

describe('submissionClientCommand', () => {
  it('runs ./run in the submission with exactly pyrena arguments, in a scrubbed environment', async () => {
    process.env.ARENA_TEST_SECRET = 'do-not-leak';
    try {
      const dir = await botWithRun('for a in "$@"; do printf "[%s]" "$a"; done; echo; pwd; env | sort');
      const out = await run(dir, ROOMY);
      expect(out.code).toBe(0);
      const [args, cwd, ...env] = out.output.trim().split('\n');
      expect(args).toBe("[--server][127.0.0.1][--port][3000][--password][p'w d][--name][Team Rocket][--session][arena_7_1v2-a1][--index][1][Chess]");
      expect(cwd).toBe(dir);
      expect(env.map((l) => l.split('=')[0]).filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_')).toEqual(['HOME', 'LANG', 'PATH', 'TMPDIR']);
      expect(out.output).not.toContain('do-not-leak');
    } finally {
      delete process.env.ARENA_TEST_SECRET;
    }
  });

  it('kills a bot that spins past its CPU time', async () => {
    const dir = await botWithRun('while :; do :; done');
    const started = Date.now();
    const out = await run(dir, { ...ROOMY, cpuSeconds: 1 }, 60_000);
    expect(['SIGKILL', 'SIGXCPU']).toContain(out.signal);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('stops a bot that allocates more memory than allowed, and lets the same bot run under a roomy limit', async () => {
    const hog = `exec node -e 'const a=[]; for (let i = 0; i < 25; i++) a.push(Buffer.alloc(16 << 20, 1)); console.log("allocated", a.length * 16, "MiB")'`;
    const dir = await botWithRun(hog);
    const roomy = await run(dir, ROOMY);
    expect(roomy.output).toContain('allocated 400 MiB');
    expect(roomy.code).toBe(0);
    const tight = await run(dir, { ...ROOMY, memoryBytes: 200 * 1024 * 1024 });
    expect(tight.output).not.toContain('allocated 400 MiB');
    expect(tight.code === 0 && tight.signal === null).toBe(false);
  });

  it('caps what a bot prints: the runner keeps the head and the tail of its log and marks the cut', async () => {
    const dir = await botWithRun('i=0; while :; do i=$((i+1)); echo "line $i spam spam spam spam spam spam spam spam spam"; done');
    const out = await run(dir, ROOMY, 2_000, 64 * 1024);
    expect(out.output.length).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(out.output.startsWith('line 1 spam')).toBe(true);
    expect(out.output).toMatch(/\[arbiter: \d+ bytes of output cut here/);
  });

  it('stops a bot that fills a file of its own past fileBytes (RLIMIT_FSIZE, SIGXFSZ)', async () => {
    const dir = await botWithRun('while :; do echo "spam spam spam spam spam spam spam spam spam spam spam spam"; done > big.txt');
    const out = await run(dir, { ...ROOMY, fileBytes: 256 * 1024 });
    expect(out.signal).toBe('SIGXFSZ');
    expect(statSync(join(dir, 'big.txt')).size).toBe(256 * 1024);
  });

  it('refuses a directory that is relative or would read as a placeholder', () => {
    expect(() => submissionClientCommand({ dir: 'rel/bot' }, ROOMY)).toThrow();
    expect(() => submissionClientCommand({ dir: '/x/{host}' }, ROOMY)).toThrow();
    expect(() => submissionClientCommand({ dir: '/x' }, { ...ROOMY, cpuSeconds: 0 })).toThrow(/cpuSeconds/);
  });
});

describe('limits from pyrena-like settings', () => {
  it.each([
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['268435456', 268435456],
    ['64MB', 64 * 1024 ** 2],
  ])('memory %s', (text, bytes) => expect(parseMemory(text)).toBe(bytes));
  it.each(['', 'lots', '-1g', '1t', '1k'])('refuses memory %j', (text) => expect(() => parseMemory(text)).toThrow());
  it('CPU share × match timeout gives CPU seconds', () => {
    expect(botLimitsFromContainer({ cpus: '1.5', ram: '512m', matchTimeoutSeconds: 300 })).toEqual({ cpuSeconds: 450, memoryBytes: 512 * 1024 ** 2 });
    expect(() => botLimitsFromContainer({ cpus: '0', ram: '512m', matchTimeoutSeconds: 300 })).toThrow();
  });
});
