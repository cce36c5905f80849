// The manager sets its V8 flags before any other module runs: src/main.ts imports v8-heuristics first, since
// ESM evaluates a module's imports in order and pretenuring decisions start with the first allocations. What can
// only be set as a process starts lives in the image (infra/docker/Dockerfile) and must match what the
// benchmarks measure.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROCESS_ENV, V8_FLAGS, flagName, flagsToSet, fullGc } from '../../src/shared/v8-heuristics.js';

describe('v8 heuristics', () => {
  it.each([
    ['--no-allocation-site-pretenuring', 'allocation-site-pretenuring'],
    ['--allocation-site-pretenuring', 'allocation-site-pretenuring'],
    ['--heap-growing-percent=50', 'heap-growing-percent'],
    ['--heap_growing_percent=0', 'heap-growing-percent'],
  ])('names %s as %s', (flag, name) => {
    expect(flagName(flag)).toBe(name);
  });

  it('leaves a flag given on the command line to the command line, in either spelling or sense', () => {
    expect(flagsToSet(V8_FLAGS, [])).toEqual([...V8_FLAGS]);
    expect(flagsToSet(V8_FLAGS, ['--allocation-site-pretenuring'])).toEqual(['--heap-growing-percent=50']);
    expect(flagsToSet(V8_FLAGS, ['--heap_growing_percent=0', '--enable-source-maps'])).toEqual(['--no-allocation-site-pretenuring']);
    expect(flagsToSet(V8_FLAGS, ['dist/src/main.js'])).toEqual([...V8_FLAGS]);
  });

  it('is the first import of the manager entry point', () => {
    const source = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
    const firstImport = source.split('\n').find((line) => line.startsWith('import '));
    expect(firstImport).toMatch(/^import (.+ from )?'\.\/shared\/v8-heuristics\.js';$/);
  });

  it("the production image sets the start-time settings the benchmarks measure", () => {
    const dockerfile = readFileSync(new URL('../../infra/docker/Dockerfile', import.meta.url), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    const env = /^ENV (.+)$/m.exec(runtime)?.[1] ?? '';
    const pairs = Object.fromEntries([...env.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1], m[2]!.replace(/^"|"$/g, '')]));
    expect(pairs).toMatchObject(PROCESS_ENV);
  });

  it('fullGc collects what nothing references any more', async () => {
    let garbage: object | null = { payload: new Array(1000).fill('x') };
    const ref = new WeakRef(garbage);
    garbage = null;
    // A WeakRef keeps its target until the job that made or read it ends.
    await new Promise((resolve) => setImmediate(resolve));
    expect(fullGc()).toBeGreaterThanOrEqual(0);
    expect(ref.deref()).toBeUndefined();
  });
});
