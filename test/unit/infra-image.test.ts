import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The image keeps production dependencies only (npm ci --omit=dev) and runs compiled files from
// dist/src: these checks catch what would only fail once deployed.
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };

function productSources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) productSources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Bare module names a file loads at run time (type-only imports are erased by the build). */
function runtimePackages(source: string): string[] {
  const names = new Set<string>();
  const statements = /^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(statements)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names];
}

describe('runtimePackages', () => {
  it.each([
    { name: 'value import', source: "import { z } from 'zod';", want: ['zod'] },
    { name: 'type-only import', source: "import type { Request } from 'express';", want: [] },
    { name: 'scoped subpath', source: "import { X } from '@aws-sdk/client-ecs/dist';", want: ['@aws-sdk/client-ecs'] },
    { name: 'builtins and relative', source: "import fs from 'node:fs';\nimport p from 'path';\nimport { a } from './a.js';", want: [] },
    { name: 'dynamic import', source: "const m = await import('undici');", want: ['undici'] },
    { name: 'side-effect import', source: "import 'dotenv/config';", want: ['dotenv'] },
  ])('$name', ({ source, want }) => {
    expect(runtimePackages(source)).toEqual(want);
  });
});

describe('production image', () => {
  it('product code loads only production dependencies', () => {
    const offending = productSources('src').flatMap((file) =>
      runtimePackages(read(file))
        .filter((name) => !(name in pkg.dependencies))
        .map((name) => `${file}: ${name}`),
    );
    expect(offending).toEqual([]);
  });

  it.each([
    { name: 'manager', command: 'dist/src/main.js' },
    { name: 'sidecar', command: 'dist/src/sidecar/main.js' },
  ])('the $name entry point the task definitions run has a source', ({ command }) => {
    expect(existsSync(join(root, command.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('is built in stages, pruned to production dependencies, and runs as a non-root user', () => {
    const dockerfile = read('infra/docker/Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/src\/main\.js"\]$/m);
  });

  it('runs Node 22 LTS pinned to an exact version (and digest) in every stage', () => {
    const dockerfile = read('infra/docker/Dockerfile');
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base).toMatch(/^node:22\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.every((f) => f === '${NODE_IMAGE}')).toBe(true);
  });

  it('keeps source maps on for every node the image runs, task commands included', () => {
    const dockerfile = read('infra/docker/Dockerfile');
    // The task definitions replace CMD with their own `node dist/src/...`: NODE_OPTIONS reaches those too.
    expect(dockerfile).toMatch(/^ENV .*\bNODE_OPTIONS="?--enable-source-maps\b/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps",/m);
  });

  it('sends only what the build needs to the builder', () => {
    const ignore = read('infra/docker/Dockerfile.dockerignore').split('\n').map((l) => l.trim());
    expect(ignore[ignore.findIndex((l) => !l.startsWith('#'))]).toBe('*');
    expect(ignore).toEqual(expect.arrayContaining(['!package.json', '!package-lock.json', '!src/']));
    expect(ignore.some((l) => /^!(node_modules|dist|\.env)/.test(l))).toBe(false);
  });
});
