// The arena worker: claim → play under a renewed lease → store logs → write the result under that lease.
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runMatch, type MatchResult, type ReaperLink } from '../runner/index.js';
import type { Logger } from '../shared/log.js';
import { classifyFailure } from './classify.js';
import type { Claim, MatchQueue, QueuedPlayer } from './db/queue.js';
import { clientLogKey, gamelogKey, type LogStore } from './log-store/index.js';
import type { ArenaMetrics } from './metrics.js';

export type PreparedPlayer = { ok: true; command: string } | { ok: false; reason: string };

export interface WorkerOptions {
  queue: MatchQueue;
  store: LogStore;
  owner: string;
  parallel: number;
  leaseSeconds: number;
  matchTimeoutMs: number;
  pollMs: number;
  graceMs: number;
  managerUrl: string;
  token?: string;
  workDir: string;
  /** Turns a queued player into a command template (a build for submissions); its failure fails the match. */
  preparePlayer(player: QueuedPlayer, claim: Claim, signal: AbortSignal): Promise<PreparedPlayer>;
  reaper?: ReaperLink;
  logger: Logger;
  metrics: ArenaMetrics;
  /** For the live view. */
  onChange?(): void;
}

export interface RunningMatch {
  claim: Claim;
  startedAt: number;
  phase: 'preparing' | 'playing' | 'storing';
  abort: AbortController;
}

export interface Totals {
  finished: number;
  failed: number;
  retried: number;
  givenBack: number;
  lost: number;
  queued: number;
}

type AbortReason = 'timeout' | 'shutdown' | 'lease_lost';

export class ArenaWorker {
  readonly running = new Map<number, RunningMatch>();
  readonly totals: Totals = { finished: 0, failed: 0, retried: 0, givenBack: 0, lost: 0, queued: 0 };
  private stopping = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private closed: Promise<void> | null = null;

  constructor(private readonly o: WorkerOptions) {
    if (!(o.parallel >= 1)) throw new RangeError('parallel must be at least 1');
    if (!(o.leaseSeconds >= 1)) throw new RangeError('leaseSeconds must be at least 1');
  }

  start(): void {
    this.loop ??= this.claimLoop();
  }

  /** SIGTERM: stop claiming, give running matches graceMs, then give their leases back. Idempotent. */
  stop(): Promise<void> {
    return (this.closed ??= (async () => {
      this.stopping = true;
      this.wake?.();
      await this.loop;
      const deadline = Date.now() + this.o.graceMs;
      while (this.running.size > 0 && Date.now() < deadline) await this.nap(Math.min(200, deadline - Date.now()));
      for (const m of this.running.values()) m.abort.abort('shutdown' satisfies AbortReason);
      while (this.running.size > 0) await this.nap(50);
    })());
  }

  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async claimLoop(): Promise<void> {
    const log = this.o.logger;
    while (!this.stopping) {
      if (this.running.size >= this.o.parallel) {
        await this.nap(this.o.pollMs);
        continue;
      }
      let claim: Claim | null = null;
      const end = this.o.metrics.claimSeconds.startTimer();
      try {
        claim = await this.o.queue.claim(this.o.owner);
        end();
        this.totals.queued = await this.o.queue.depth();
        this.o.metrics.queueDepth.set(this.totals.queued);
      } catch (err) {
        log.warn('claim failed; database unreachable?', { error: (err as Error).message });
        await this.nap(this.o.pollMs);
        continue;
      }
      if (!claim) {
        this.o.onChange?.();
        await this.nap(this.o.pollMs);
        continue;
      }
      if (claim.takeover) this.o.metrics.takeovers.inc();
      log.info('match claimed', { matchId: claim.matchId, attempt: claim.attempt, takeover: claim.takeover, players: claim.players.map((p) => p.name) });
      const running: RunningMatch = { claim, startedAt: Date.now(), phase: 'preparing', abort: new AbortController() };
      this.running.set(claim.matchId, running);
      this.o.metrics.running.set(this.running.size);
      this.o.onChange?.();
      void this.play(running).finally(() => {
        this.running.delete(claim.matchId);
        this.o.metrics.running.set(this.running.size);
        this.o.onChange?.();
        this.wake?.();
      });
    }
  }

  private async play(m: RunningMatch): Promise<void> {
    const { claim, abort } = m;
    const log = this.o.logger.child({ matchId: claim.matchId, attempt: claim.attempt });
    const deadline = setTimeout(() => abort.abort('timeout' satisfies AbortReason), this.o.matchTimeoutMs);
    const heartbeat = setInterval(() => void this.renew(claim, abort, log), (this.o.leaseSeconds * 1000) / 3);
    const outDir = await mkdtemp(join(this.o.workDir, `match-${claim.matchId}-a${claim.attempt}-`));
    let outcome = 'failed';
    try {
      outcome = await this.playUnderLease(m, outDir, log);
    } catch (err) {
      log.error('match crashed in the worker', { error: (err as Error).message });
      outcome = (await this.write(claim, log, () => this.o.queue.requeue(claim, `worker error: ${(err as Error).message}`).then((r) => r))) ?? 'lost';
    } finally {
      clearTimeout(deadline);
      clearInterval(heartbeat);
      await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
      this.o.metrics.matches.inc({ outcome });
      this.o.metrics.matchSeconds.observe({ outcome }, (Date.now() - m.startedAt) / 1000);
    }
  }

  private async renew(claim: Claim, abort: AbortController, log: Logger): Promise<void> {
    try {
      if (await this.o.queue.renew(claim)) {
        this.o.metrics.renewals.inc({ result: 'ok' });
        return;
      }
      this.o.metrics.renewals.inc({ result: 'lost' });
      log.warn('lease lost; stopping the match', {});
      abort.abort('lease_lost' satisfies AbortReason);
    } catch (err) {
      // the database may come back before the lease runs out; the next beat tries again
      this.o.metrics.renewals.inc({ result: 'error' });
      log.warn('lease renewal failed', { error: (err as Error).message });
    }
  }

  /** Retries a result write while the database is unreachable, until the match deadline's grace runs out. */
  private async write<T>(claim: Claim, log: Logger, op: () => Promise<T>): Promise<T | null> {
    const until = Date.now() + Math.max(this.o.leaseSeconds * 1000, 10_000);
    for (;;) {
      try {
        return await op();
      } catch (err) {
        if (Date.now() > until) {
          log.error('result write failed; the lease will expire and another worker will play it', { error: (err as Error).message });
          return null;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async playUnderLease(m: RunningMatch, outDir: string, log: Logger): Promise<string> {
    const { claim, abort } = m;
    const clients: Array<{ command: string; name: string }> = [];
    for (const player of claim.players) {
      const prepared = await this.o.preparePlayer(player, claim, abort.signal);
      if (!prepared.ok) return this.failMatch(claim, log, `player ${player.name} could not be prepared: ${prepared.reason}`, []);
      clients.push({ command: prepared.command, name: player.name });
    }
    if (abort.signal.aborted) return this.afterAbort(claim, log, abort.signal.reason as AbortReason, []);
    m.phase = 'playing';
    this.o.onChange?.();
    const remaining = Math.max(1000, this.o.matchTimeoutMs - (Date.now() - m.startedAt));
    const result = await runMatch({
      managerUrl: this.o.managerUrl,
      token: this.o.token,
      game: claim.game,
      clients,
      timeoutMs: remaining,
      outDir,
      session: sessionId(claim),
      signal: abort.signal,
      // with no room the manager holds the allocation until a seat frees or a launched server is up (`?wait=`),
      // rather than failing it at once; half the match's time at most, so that the match itself still fits
      waitSeconds: Math.min(30, Math.floor(remaining / 2000)),
      reaper: this.o.reaper,
      settleMs: 2000,
      killGraceMs: 2000,
      statusBackoffMs: { initial: 250, max: 2000 },
      logger: log,
    });
    m.phase = 'storing';
    this.o.onChange?.();
    const outputs = await this.storeOutputs(claim, result, log);
    if (abort.signal.aborted) return this.afterAbort(claim, log, abort.signal.reason as AbortReason, outputs);
    if (result.status === 'completed') {
      const logUrl = result.files.gamelog && existsSync(result.files.gamelog) ? await this.o.store.put(gamelogKey(claim.matchId, claim.attempt), createReadStream(result.files.gamelog), 'application/gzip') : null;
      const winnerSeat = result.winner === null ? null : claim.players.findIndex((p) => p.name === result.winner);
      const won = result.clients.find((c) => c.won);
      const lost = result.clients.find((c) => c.lost);
      const ok = await this.write(claim, log, () =>
        this.o.queue.finish(claim, { winnerSeat: winnerSeat !== null && winnerSeat >= 0 ? winnerSeat : null, winReason: won?.reason ?? null, loseReason: lost?.reason ?? null, logUrl, outputUrls: outputs }),
      );
      return this.count(ok === true ? 'finished' : 'lost', claim, log, result.reason);
    }
    const alive = result.server ? await probe(result.server.host, result.server.ports.web) : null;
    const verdict = classifyFailure(result.failure, alive);
    if (verdict === 'requeue') {
      const r = await this.write(claim, log, () => this.o.queue.requeue(claim, `${result.failure}: ${result.reason}`));
      return this.count(r === 'queued' ? 'requeued' : r === 'failed' ? 'failed' : 'lost', claim, log, result.reason);
    }
    const reason = result.failure === 'timeout' ? `timeout: ${result.reason}` : `${result.failure}: ${result.reason}`;
    return this.failMatch(claim, log, reason, outputs);
  }

  private async afterAbort(claim: Claim, log: Logger, why: AbortReason, outputs: Array<string | null>): Promise<string> {
    if (why === 'shutdown') {
      const ok = await this.write(claim, log, () => this.o.queue.giveBack(claim));
      return this.count(ok ? 'given_back' : 'lost', claim, log, 'worker stopping: lease given back');
    }
    if (why === 'timeout') return this.failMatch(claim, log, `timeout: the match ran past MATCH_TIMEOUT (${this.o.matchTimeoutMs / 1000} s)`, outputs);
    // lease_lost: the write below is refused by the database unless the lease is somehow still ours
    return this.failMatch(claim, log, 'lease lost during the match', outputs);
  }

  private async failMatch(claim: Claim, log: Logger, reason: string, outputs: Array<string | null>): Promise<string> {
    const ok = await this.write(claim, log, () => this.o.queue.fail(claim, reason, outputs));
    return this.count(ok === true ? 'failed' : 'lost', claim, log, reason);
  }

  private count(outcome: string, claim: Claim, log: Logger, reason: string): string {
    if (outcome === 'finished') this.totals.finished++;
    else if (outcome === 'failed') this.totals.failed++;
    else if (outcome === 'requeued') this.totals.retried++;
    else if (outcome === 'given_back') this.totals.givenBack++;
    else this.totals.lost++;
    if (outcome === 'lost') log.warn('result refused: the lease was taken over', { matchId: claim.matchId, attempt: claim.attempt });
    else log.info('match ended', { matchId: claim.matchId, attempt: claim.attempt, outcome, reason });
    return outcome;
  }

  private async storeOutputs(claim: Claim, result: MatchResult, log: Logger): Promise<Array<string | null>> {
    const urls: Array<string | null> = [];
    for (const [seat, player] of claim.players.entries()) {
      const file = result.clients[seat]?.logFile;
      try {
        urls.push(file && existsSync(file) ? await this.o.store.put(clientLogKey(claim.matchId, claim.attempt, seat, player.name), createReadStream(file), 'text/plain') : null);
      } catch (err) {
        log.warn('client output not stored', { seat, error: (err as Error).message });
        urls.push(null);
      }
    }
    return urls;
  }
}

/** pyrena's `arena_<game>_<a>v<b>`, plus the attempt: Cerveau refuses a session id that is taken. */
export function sessionId(claim: Claim): string {
  const ids = claim.players.map((p) => String(p.submissionId ?? p.seat)).join('v');
  return `arena_${claim.matchId}_${ids}_a${claim.attempt}`;
}

async function probe(host: string, port: number): Promise<boolean> {
  try {
    await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}
