// What every benchmark returns, and the small measuring tools they share. A benchmark reports rows
// of "measured vs baseline measured in the same run", so that a slow or noisy machine moves both.

export interface BenchRow {
  metric: string;
  unit: string;
  measured: number;
  /** Null for figures that have no baseline (latency percentiles, derived numbers). */
  baseline: number | null;
  /** measured / baseline unless the benchmark says otherwise; null without a baseline. */
  ratio: number | null;
  /** What the ratio (or the figure) tells the reader. */
  meaning: string;
}

export interface BenchReport {
  name: string;
  title: string;
  /** Sizes and settings, one line. */
  setup: string;
  rows: BenchRow[];
  notes: string[];
  elapsedMs: number;
}

export interface BenchContext {
  /** True when the process runs with --expose-gc. */
  gcAvailable: boolean;
  /** Progress lines go to stderr so that --json output stays clean. */
  progress(message: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<BenchReport, 'name' | 'title' | 'elapsedMs'>>;
}

export function row(
  metric: string,
  unit: string,
  measured: number,
  baseline: number | null,
  meaning: string,
  ratio: number | null = baseline === null || baseline === 0 ? null : measured / baseline,
): BenchRow {
  return { metric, unit, measured, baseline, ratio, meaning };
}

/** Nearest-rank percentile of samples that are already sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, v) => sum + v, 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

/**
 * Runs `ours` and `baseline` in alternating rounds (so drift on a shared machine hits both) and
 * returns the median rate of each in operations per second. Each round calls its function once;
 * the function does `opsPerRound` operations and may return time to exclude (set-up between rounds).
 */
export async function compareRates(options: {
  rounds: number;
  opsPerRound: number;
  ours: () => Promise<number | void> | number | void;
  baseline: () => Promise<number | void> | number | void;
}): Promise<{ ours: number; baseline: number }> {
  const oursRates: number[] = [];
  const baseRates: number[] = [];
  const timed = async (fn: typeof options.ours): Promise<number> => {
    const started = performance.now();
    const excluded = (await fn()) ?? 0;
    const ms = performance.now() - started - excluded;
    return options.opsPerRound / (Math.max(ms, 1e-3) / 1000);
  };
  for (let i = 0; i < options.rounds; i++) {
    oursRates.push(await timed(options.ours));
    baseRates.push(await timed(options.baseline));
  }
  return { ours: median(oursRates), baseline: median(baseRates) };
}

/** A small deterministic PRNG (mulberry32), so that every run builds the same fleet. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Formats numbers for the table: three significant figures, thousands separated. */
export function formatNumber(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(3);
}

export function formatRatio(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '—';
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** The report as a fixed-width text table with notes underneath. */
export function formatReport(report: BenchReport): string {
  const header = ['metric', 'measured', 'baseline', 'ratio', 'meaning'];
  const lines = report.rows.map((r) => [
    r.metric,
    `${formatNumber(r.measured)} ${r.unit}`,
    r.baseline === null ? '—' : `${formatNumber(r.baseline)} ${r.unit}`,
    formatRatio(r.ratio),
    r.meaning,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 || i === 3 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    `== ${report.name}: ${report.title} (${(report.elapsedMs / 1000).toFixed(1)} s)`,
    `   ${report.setup}`,
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...lines.map(fmt),
  ];
  for (const note of report.notes) out.push(`  * ${note}`);
  return out.join('\n');
}
