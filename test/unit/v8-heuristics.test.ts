// The manager sets its V8 flags before any other module runs: src/main.ts imports v8-heuristics first, since
// ESM evaluates a module's imports in order and pretenuring decisions start with the first allocations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { V8_FLAGS } from '../../src/shared/v8-heuristics.js';

describe('v8 heuristics', () => {
  it('turns allocation-site pretenuring off', () => {
    expect(V8_FLAGS).toContain('--no-allocation-site-pretenuring');
  });

  it('is the first import of the manager entry point', () => {
    const source = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
    const firstImport = source.split('\n').find((line) => line.startsWith('import '));
    expect(firstImport).toBe("import './shared/v8-heuristics.js';");
  });
});
