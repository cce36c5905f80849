// Transpiles every TypeScript source to dist/ with esbuild (type checking is `npm run typecheck`).
// One file in, one file out, no bundling: stack traces keep their file names and startup stays fast.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['src', 'sim', 'bench', 'infra', 'test/support'];

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'cdk.out') collect(path, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

const entryPoints = roots.flatMap((root) => collect(root, []));
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
