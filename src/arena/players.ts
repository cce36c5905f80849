// How a queued player becomes a client command: a template as given (arbiter schema) or a built submission (ophelia).
import type pg from 'pg';
import type { ReaperLink } from '../runner/index.js';
import type { Claim, MatchQueue, QueuedPlayer } from './db/queue.js';
import { buildLogKey, type LogStore } from './log-store/index.js';
import { botLimitsFromContainer, prepareSubmission, submissionClientCommand } from './bots/index.js';
import type { PreparedPlayer } from './worker.js';

export interface SubmissionSettings {
  cacheDir: string;
  cpus: number;
  ram: string;
  matchTimeoutSeconds: number;
  maxCacheBytes?: number;
  buildTimeoutMs?: number;
}

export function createPlayerPreparer(deps: { pool: pg.Pool; queue: MatchQueue; store: LogStore; settings: SubmissionSettings; reaper?: ReaperLink }) {
  const limits = botLimitsFromContainer({ cpus: deps.settings.cpus, ram: deps.settings.ram, matchTimeoutSeconds: deps.settings.matchTimeoutSeconds });
  return async function preparePlayer(player: QueuedPlayer, _claim: Claim): Promise<PreparedPlayer> {
    if (player.command !== undefined) return { ok: true, command: player.command };
    if (player.submissionId === undefined || player.version === undefined) return { ok: false, reason: 'the player has neither a command nor a submission' };
    const row = await deps.pool.query<{ data: Buffer }>('SELECT data FROM submissions WHERE id = $1', [player.submissionId]);
    const zip = row.rows[0]?.data;
    if (!zip) return { ok: false, reason: `submission ${player.submissionId} has no data` };
    const prepared = await prepareSubmission({
      submissionId: player.submissionId,
      version: player.version,
      zip,
      cacheDir: deps.settings.cacheDir,
      maxCacheBytes: deps.settings.maxCacheBytes ?? 2 * 1024 ** 3,
      buildTimeoutMs: deps.settings.buildTimeoutMs ?? Math.min(120_000, deps.settings.matchTimeoutSeconds * 1000),
      maxLogBytes: 1024 * 1024,
      reaper: deps.reaper,
    });
    if (!prepared.cached || !prepared.ok) {
      const url = await deps.store.put(buildLogKey(player.submissionId, player.version), Buffer.from(prepared.buildLog), 'text/plain');
      await deps.queue.recordBuild?.(player.submissionId, prepared.ok, url);
    }
    if (!prepared.ok) return { ok: false, reason: `build failed: ${prepared.reason}` };
    return { ok: true, command: submissionClientCommand(prepared, limits) };
  };
}
