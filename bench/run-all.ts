// Runs the benchmarks: `node dist/bench/run-all.js [--json] [name ...]`. A name matches a benchmark
// whose name starts with it (`allocation` runs both allocation benchmarks). Without --expose-gc the
// script starts itself again with it, so the memory benchmark can collect garbage between steps.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { allocationCore } from './allocation-core.js';
import { arenaClaim } from './arena-claim.js';
import { allocationHttp } from './allocation-http.js';
import { apiMiddleware } from './api-middleware.js';
import { detection } from './detection.js';
import { ecsList } from './ecs-list.js';
import { formatReport, type BenchReport, type Benchmark } from './harness.js';
import { memory } from './memory.js';
import { policy } from './policy.js';
import { pollLoad } from './poll-load.js';
import { scale } from './scale.js';
import { scaleReaction } from './scale-reaction.js';
import { spike } from './spike.js';

export const BENCHMARKS: readonly Benchmark[] = [allocationCore, allocationHttp, apiMiddleware, policy, detection, scaleReaction, memory, ecsList, scale, pollLoad, spike, arenaClaim];

const RESPAWNED = 'ARBITER_BENCH_RESPAWNED';

interface Args {
  json: boolean;
  names: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { json: false, names: [] };
  for (const a of argv) {
    if (a === '--json') args.json = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: node dist/bench/run-all.js [--json] [name ...]\nbenchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a} (known: --json, --help)`);
    else args.names.push(a);
  }
  return args;
}

export function selectBenchmarks(names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...BENCHMARKS];
  // An exact name means that benchmark alone (`scale` is not also `scale-reaction`).
  const matches = (b: Benchmark, n: string) => b.name === n || (!BENCHMARKS.some((x) => x.name === n) && b.name.startsWith(n));
  const chosen = BENCHMARKS.filter((b) => names.some((n) => matches(b, n)));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n || b.name.startsWith(n)));
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.name).join(', ')})`);
  return chosen;
}

function respawnWithGc(): Promise<number> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [RESPAWNED]: '1' },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
    child.once('error', (err) => {
      process.stderr.write(`bench: could not restart with --expose-gc: ${err.message}\n`);
      resolve(1);
    });
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const selected = selectBenchmarks(args.names);
  const gcAvailable = typeof globalThis.gc === 'function';
  if (!gcAvailable && process.env[RESPAWNED] !== '1') return respawnWithGc();

  const ctx = { gcAvailable, progress: (m: string) => process.stderr.write(`${m}\n`) };
  const reports: BenchReport[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const bench of selected) {
    const started = performance.now();
    try {
      const result = await bench.run(ctx);
      const report: BenchReport = { name: bench.name, title: bench.title, ...result, elapsedMs: performance.now() - started };
      reports.push(report);
      if (!args.json) process.stdout.write(`${formatReport(report)}\n\n`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      failures.push({ name: bench.name, error });
      process.stderr.write(`bench ${bench.name} failed: ${error}\n`);
    }
  }
  if (args.json) {
    const machine = { node: process.version, platform: process.platform, arch: process.arch, gc: gcAvailable };
    process.stdout.write(`${JSON.stringify({ machine, reports, failures }, null, 2)}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Every benchmark closes what it started; should a handle still hold the loop, say so and leave.
    setTimeout(() => {
      process.stderr.write('bench: handles still open after the last benchmark; exiting\n');
      process.exit(code);
    }, 3_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
