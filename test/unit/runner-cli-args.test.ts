import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseCliArgs, UsageError } from '../../src/runner/cli-args.js';

const base = ['--manager', 'http://127.0.0.1:8000', '--out', '/tmp/x'];
const match = [...base, '--game', 'Chess', '--client', 'a {port}', '--client', 'b {port}'];

describe('parseCliArgs', () => {
  it('reads a single match with defaults', () => {
    const args = parseCliArgs([...match, '--setting', 'seed=42', '--setting', 'fen=a=b'], {});
    expect(args).toMatchObject({
      managerUrl: 'http://127.0.0.1:8000',
      outDir: '/tmp/x',
      timeoutMs: 300_000,
      killGraceMs: 5_000,
      settings: { seed: '42', fen: 'a=b' },
      match: { game: 'Chess', clients: [{ command: 'a {port}' }, { command: 'b {port}' }] },
      batch: null,
    });
  });

  it('reads batch mode and the token from the environment', () => {
    expect(parseCliArgs([...base, '--batch', 'm.jsonl', '--parallel', '3'], { ARBITER_TOKEN: 'tok' })).toMatchObject({
      batch: { file: 'm.jsonl', parallel: 3 },
      match: null,
      token: 'tok',
    });
  });

  it.each([
    { name: 'missing manager', argv: ['--out', 'x', '--game', 'G', '--client', 'a', '--client', 'b'], want: /--manager/ },
    { name: 'bad manager URL', argv: ['--manager', 'nope', '--out', 'x'], want: /--manager expects/ },
    { name: 'missing out', argv: ['--manager', 'http://m'], want: /--out/ },
    { name: 'one client', argv: [...base, '--game', 'G', '--client', 'a'], want: /two --client/ },
    { name: 'missing game', argv: [...base, '--client', 'a', '--client', 'b'], want: /--game/ },
    { name: 'bad timeout', argv: [...match, '--timeout', 'soon'], want: /--timeout/ },
    { name: 'zero timeout', argv: [...match, '--timeout', '0'], want: /--timeout/ },
    { name: 'bad setting', argv: [...match, '--setting', 'novalue'], want: /key=value/ },
    { name: 'unknown flag', argv: [...match, '--bogus'], want: /bogus/ },
    { name: 'unknown placeholder', argv: [...base, '--game', 'G', '--client', 'a {hots}', '--client', 'b'], want: /\{hots\}/ },
    { name: 'names not matching clients', argv: [...match, '--name', 'x'], want: /one --name per --client/ },
    { name: 'batch with clients', argv: [...base, '--batch', 'f', '--client', 'a'], want: /--batch/ },
    { name: 'parallel without batch', argv: [...match, '--parallel', '2'], want: /--parallel/ },
    { name: 'zero parallel', argv: [...base, '--batch', 'f', '--parallel', '0'], want: /--parallel/ },
  ])('refuses: $name', ({ argv, want }) => {
    expect(() => parseCliArgs(argv, {})).toThrow(UsageError);
    expect(() => parseCliArgs(argv, {})).toThrow(want);
  });
});

describe.runIf(existsSync('dist/src/runner/cli.js'))('arbiter-run-match process', () => {
  it('exits 2 with usage on stderr for bad arguments', () => {
    const out = spawnSync(process.execPath, ['dist/src/runner/cli.js', '--game', 'Chess'], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/--manager URL is required/);
    expect(out.stderr).toMatch(/usage: arbiter-run-match/);
  });
});
