// V8 heuristics the long-running processes change before they allocate anything, imported first by each
// entry point so that its flags are set before any other module runs. A flag given on node's own command line
// wins over the one here (an operator's way to undo a choice without a rebuild).
//
// Allocation-site pretenuring (off): when most objects from one allocation site survive a scavenge, V8 starts
// allocating that site's objects directly in the old generation. Building the state of a large fleet (10,000
// server records at start) sets it off for the request path too: the router's and node:http's per-request
// objects then go to the old generation, where they die, and every scavenge has to walk their pointers into
// the young generation. Measured with bench/api-ladder-server over 10,000 servers: scavenges took 8.9 ms
// instead of 4.0 and an allocation cost 1.45× the CPU it costs over 100 servers; without pretenuring the two
// fleet sizes cost the same. What it would save (copying objects that really live long) is small here: the
// records are made once and reservations are a hundred bytes each.
//
// Heap growing (50 %): after a full GC, V8 lets the old generation grow to up to 4× what survived before the next
// one. When about 10 MB/s reached the old generation and died there (before requests were born with the app's
// prototypes and polls stopped passing through a Map, src/api/born-prototypes.ts and src/manager/pending-by-seq.ts),
// the heap swung between 45 and 190 MB and RSS peaked near 380 MB. About 0.3 MB/s is promoted now, which V8's own
// growth would let pile up for minutes; growing by half keeps the old generation under 1.5× the live set whatever
// the load promotes, for a full GC about once a minute at 1,000 allocations/s (docs/benchmarks.md, "Memory at
// 10,000 servers" and the section after it).
//
// Two full GCs at start-up (`fullGc`, called by main.ts once the state is rebuilt and again when the manager first
// becomes ready): building the state of 10,000 servers (ECS's answers, the first poll round) leaves about 70 MB of
// garbage in the old generation, and V8 collects it only when the old generation reaches its initial limit, which the
// steady state then takes minutes to reach: until then RSS carried it (bench/poll-load: old generation 115 MB used at
// the end of the window, 43 MB after the GC). The first one goes before the poll round builds on top of the parsed
// pages. Node has no API that asks for a GC; this is the way Jest's leak detector asks for one.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const V8_FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=50'] as const;

/**
 * What the production image sets for every process (infra/docker/Dockerfile) and the benchmarks give the manager
 * they measure: settings read when a process starts, which no module can change afterwards. Semi-spaces of 8 MB
 * instead of V8's 16 MB (the young generation; scavenges come twice as often, each about half as long), and two
 * malloc arenas instead of glibc's eight per core (the poll worker and V8's helper threads each got their own).
 */
export const PROCESS_ENV = { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8', MALLOC_ARENA_MAX: '2' } as const;

/** The flag's name without `--`, `no-` and the value: `--no-foo-bar=1` → `foo-bar`, underscores as dashes. */
export function flagName(flag: string): string {
  return flag.replace(/^--/, '').replace(/^no-/, '').split('=')[0]!.replaceAll('_', '-');
}

/** The flags of `wanted` that `execArgv` (node's own command line) does not already set. */
export function flagsToSet(wanted: readonly string[], execArgv: readonly string[]): string[] {
  const given = new Set(execArgv.filter((arg) => arg.startsWith('--')).map(flagName));
  return wanted.filter((flag) => !given.has(flagName(flag)));
}

for (const flag of flagsToSet(V8_FLAGS, process.execArgv)) setFlagsFromString(flag);

/**
 * Runs a full, blocking, compacting garbage collection and returns how long it took, in milliseconds. Compacting:
 * the state's records sit scattered among the garbage of the answers they were built from, so a plain full GC left
 * the old generation's pages 40 % used and committed (100 MB for 43 MB live); moving the survivors together gives
 * the empty pages back. A plain one goes first: compaction takes new pages for the survivors before it gives their
 * old ones back, and with the garbage's pages already gone that passing peak sits on the live set alone (the
 * high-water mark at 10,000 servers: 236–239 MB in five starts, against 241–261 MB with the compacting one alone).
 */
export function fullGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const started = performance.now();
  gc();
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return performance.now() - started;
}
