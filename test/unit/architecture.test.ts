import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rules of docs/architecture.md, read off the import statements of src/ and sim/. Each rule is a
// function of (importing file, imported file or package); KNOWN lists what still breaks a rule today,
// so the list can only shrink: an entry that no longer breaks its rule fails the test too.

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_LINES = 300;

interface Edge {
  from: string; // path relative to ROOT, e.g. src/runner/cli.ts
  to: string; // a path relative to ROOT for relative imports, else the package specifier
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec === undefined) continue;
    const to = spec.startsWith('.') ? normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    edges.push({ from: file, to });
  }
  return edges;
}

/** src/<part>/… → part; src/main.ts → "root"; sim/… → "sim". */
function partOf(path: string): string {
  const [top, part, rest] = path.split('/');
  if (top === 'sim') return 'sim';
  if (top !== 'src') return top ?? path;
  return rest === undefined ? 'root' : (part ?? 'root');
}

const isLocal = (to: string): boolean => to.startsWith('src/') || to.startsWith('sim/');

interface Rule {
  name: string;
  breaks(edge: Edge): boolean;
}

const RULES: Rule[] = [
  {
    name: 'src/shared imports nothing from another folder',
    breaks: (e) => partOf(e.from) === 'shared' && isLocal(e.to) && partOf(e.to) !== 'shared',
  },
  {
    name: 'src/config imports nothing but src/shared',
    breaks: (e) => partOf(e.from) === 'config' && isLocal(e.to) && !['config', 'shared'].includes(partOf(e.to)),
  },
  {
    name: 'the sidecar, the runner and the arena are HTTP clients of the manager',
    breaks: (e) =>
      ['sidecar', 'runner', 'arena'].includes(partOf(e.from)) && isLocal(e.to) && ['manager', 'api', 'aws'].includes(partOf(e.to)),
  },
  {
    name: 'the runner does not import the local backend',
    breaks: (e) => partOf(e.from) === 'runner' && isLocal(e.to) && partOf(e.to) === 'local',
  },
  {
    name: 'the manager never knows AWS, HTTP routes or processes',
    breaks: (e) =>
      partOf(e.from) === 'manager' &&
      ((isLocal(e.to) && ['aws', 'api', 'local', 'root'].includes(partOf(e.to))) ||
        /^(@aws-sdk\/|express$|node:child_process$|child_process$)/.test(e.to)),
  },
  {
    name: 'each component owns its option types: only a main.ts imports src/config',
    breaks: (e) => isLocal(e.to) && partOf(e.to) === 'config' && partOf(e.from) !== 'config' && !e.from.endsWith('/main.ts'),
  },
  {
    name: 'the simulator shares nothing with the backend but src/shared',
    breaks: (e) => partOf(e.from) === 'sim' && e.to.startsWith('src/') && partOf(e.to) !== 'shared',
  },
  {
    name: 'the gameserver, sidecar and simulator do not import the manager',
    breaks: (e) => ['gameserver', 'sidecar', 'sim'].includes(partOf(e.from)) && isLocal(e.to) && partOf(e.to) === 'manager',
  },
];

// What breaks a rule today, as "rule :: from -> to". Remove an entry when the import goes.
const KNOWN = new Set<string>([]);

// Files over MAX_LINES today. Remove an entry when the file is split.
const KNOWN_LONG = new Set<string>([]);

// Import cycles today, each as its members sorted and joined by " | ".
const KNOWN_CYCLES = new Set<string>([]);

const files = [...sourceFiles('src'), ...sourceFiles('sim')];
const edges = files.flatMap(importsOf);

function cycles(): string[] {
  // Tarjan's strongly connected components over the file graph; a component of two or more files is a cycle.
  const graph = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (graph.has(e.to)) graph.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1) found.push(members.sort().join(' | '));
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found.sort();
}

describe('architecture', () => {
  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.from === 'src/main.ts' && e.to === 'src/config/config.ts')).toBe(true);
  });

  it.each(RULES)('$name', (rule) => {
    const broken = edges.filter((e) => rule.breaks(e)).map((e) => `${rule.name} :: ${e.from} -> ${e.to}`);
    const known = [...KNOWN].filter((k) => k.startsWith(`${rule.name} :: `));
    expect(broken.filter((b) => !KNOWN.has(b)), 'new imports that break the rule').toEqual([]);
    expect(known.filter((k) => !broken.includes(k)), 'KNOWN entries that no longer apply: remove them').toEqual([]);
  });

  it('has no import cycle', () => {
    const found = cycles();
    expect(found.filter((c) => !KNOWN_CYCLES.has(c)), 'new cycles').toEqual([]);
    expect([...KNOWN_CYCLES].filter((c) => !found.includes(c)), 'KNOWN_CYCLES entries that are gone: remove them').toEqual([]);
  });

  it(`keeps every file in src/ under ${MAX_LINES} lines`, () => {
    const long = sourceFiles('src').filter((f) => readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 > MAX_LINES);
    expect(long.filter((f) => !KNOWN_LONG.has(f)), 'new long files').toEqual([]);
    expect([...KNOWN_LONG].filter((f) => !long.includes(f)), 'KNOWN_LONG entries now short: remove them').toEqual([]);
  });

  it('resolves every relative import to a file that exists', () => {
    const known = new Set(files);
    const missing = edges
      .filter((e) => isLocal(e.to) && !known.has(e.to))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(missing).toEqual([]);
  });
});
