// Batch mode: matches from a JSON-lines file, N at a time, one result directory each, plus summary.json.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { Logger } from '../shared/log.js';
import { describeIssues } from '../shared/zod-errors.js';
import { runMatch, type RunMatchOptions } from './run-match.js';
import type { MatchResult } from './types.js';

const clientSchema = z.union([z.string().min(1), z.object({ command: z.string().min(1), name: z.string().min(1).optional() })]);

export const batchLineSchema = z.object({
  game: z.string().min(1),
  clients: z.array(clientSchema).min(2, 'expected at least 2 clients'),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  /** Seconds. */
  timeout: z.number().positive().optional(),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'expected letters, digits, _ . or -').optional(),
});

export type BatchLine = z.output<typeof batchLineSchema>;

export class BatchFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchFileError';
  }
}

/** Parses the file's text; blank lines and lines starting with # are skipped. Errors name the line. */
export function parseBatch(text: string): BatchLine[] {
  const lines: BatchLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new BatchFileError(`line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const parsed = batchLineSchema.safeParse(json);
    if (!parsed.success) {
      throw new BatchFileError(`line ${i + 1}: ${describeIssues(parsed.error, 'line').join('; ')}`);
    }
    lines.push(parsed.data);
  });
  if (lines.length === 0) throw new BatchFileError('the batch file holds no matches');
  return lines;
}

export interface BatchOptions extends Omit<RunMatchOptions, 'game' | 'clients' | 'outDir' | 'session'> {
  file: string;
  outDir: string;
  parallel: number;
  logger?: Logger;
}

export interface BatchSummary {
  total: number;
  completed: number;
  failed: number;
  matches: Array<{ name: string; status: MatchResult['status']; failure: MatchResult['failure']; reason: string; winner: string | null; dir: string }>;
}

export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  if (!Number.isInteger(options.parallel) || options.parallel < 1) throw new RangeError(`parallel must be a whole number ≥ 1, got ${options.parallel}`);
  const lines = parseBatch(await readFile(options.file, 'utf8'));
  const names = lines.map((line, i) => line.name ?? `match-${String(i + 1).padStart(3, '0')}`);
  if (new Set(names).size !== names.length) throw new BatchFileError('match names in the batch file must differ');
  await mkdir(options.outDir, { recursive: true });
  const limit = pLimit(options.parallel);
  const { file: _file, parallel: _parallel, ...shared } = options;
  const results = await Promise.all(
    lines.map((line, i) =>
      limit(async () => {
        const name = names[i] ?? `match-${i + 1}`;
        const dir = join(options.outDir, name);
        const result = await runMatch({
          ...shared,
          game: line.game,
          clients: line.clients,
          settings: { ...(options.settings ?? {}), ...(line.settings ?? {}) },
          timeoutMs: line.timeout !== undefined ? line.timeout * 1000 : options.timeoutMs,
          outDir: dir,
        });
        return { name, status: result.status, failure: result.failure, reason: result.reason, winner: result.winner, dir };
      }),
    ),
  );
  const summary: BatchSummary = {
    total: results.length,
    completed: results.filter((r) => r.status === 'completed').length,
    failed: results.filter((r) => r.status !== 'completed').length,
    matches: results,
  };
  await writeFile(join(options.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
