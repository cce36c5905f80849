// One match, pyrena's flow (§5): allocate → setup → start clients → wait → status until over → gamelog → result.json.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reapIfOrphaned, type ReaperLink } from '../shared/child-reaper.js';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { createManagerClient, ManagerError, type ManagerClient } from './manager-client.js';
import { backoffDelays } from './backoff.js';
import { awaitGameOver, watchGameserver } from './session-watch.js';
import {
  CerveauError,
  createCerveauClient,
  DEFAULT_MAX_GAMELOG_BYTES,
  GamelogTooLargeError,
  gunzipCapped,
} from './cerveau-client.js';
import { startClient, stopClient, superviseClients, type RunningClient } from './client-processes.js';
import { checkTemplate, renderCommand } from './command-template.js';
import { buildMatchResult, gamelogOutcomeOf, type GamelogOutcome, type MatchObservation } from './match-result.js';
import type { Allocation, ClientSpec, MatchResult } from './types.js';

export interface RunMatchOptions {
  /** The manager to ask; or pass `managerUrl` (and `token`). */
  client?: ManagerClient;
  managerUrl?: string;
  token?: string;
  game: string;
  clients: Array<string | ClientSpec>;
  /** How long the clients may play before they are stopped. */
  timeoutMs: number;
  /** Logs, gamelog and result.json go here (created if missing). */
  outDir: string;
  settings?: Record<string, string>;
  /** Defaults to a fresh `arena_<timestamp>_<random>`. */
  session?: string;
  /** After the first client exits, how long the others get to finish on their own. Default 3 s. */
  settleMs?: number;
  /** SIGTERM → SIGKILL grace. Default 5 s. */
  killGraceMs?: number;
  /** Tries of GET /status until `over` with a gamelog. Default 5. */
  statusAttempts?: number;
  statusBackoffMs?: { initial: number; max: number };
  /** Cap on the gamelog as received and as decompressed (--max-gamelog-bytes). Default 256 MiB. */
  maxGamelogBytes?: number;
  /** Cap on each client's log file (--max-client-log-bytes): head and tail kept, the cut marked. Default 16 MiB. */
  maxClientLogBytes?: number;
  /** `?wait=` on the allocation (0-60 s); default: the client's own (30 s). */
  waitSeconds?: number;
  /** While clients play, /status is polled this often; this many failed polls in a row end the match as gameserver_lost. */
  watchIntervalMs?: number;
  watchFailures?: number;
  /**
   * Sent as a bearer token with the release of a session the runner gives up on (the sidecars' ARBITER_SIDECAR_TOKEN);
   * without it the release is authenticated by the session's password alone.
   */
  sidecarToken?: string;
  /** Per HTTP request. Default 10 s. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Variables the clients get besides the allow-list of src/shared/child-env.ts (e.g. JAVA_HOME). */
  passEnv?: readonly string[];
  logger?: Logger;
  /** Told of each client's process group, so that a runner killed outright (SIGKILL) leaves no client behind. */
  reaper?: ReaperLink;
  /** Epoch ms; tests pass a fixed clock. */
  now?: () => number;
}

export function newSessionId(now = Date.now()): string {
  return `arena_${now}_${randomBytes(4).toString('hex')}`;
}

/**
 * 96 random bits as hex. Not base64url: one value in 64 would start with `-`, and a client's argument parser
 * (Joueur.py's argparse, node's parseArgs) reads `-w -x…` as an option, so that match would fail at random.
 */
export function newMatchPassword(): string {
  return randomBytes(12).toString('hex');
}

function clientSpecs(clients: Array<string | ClientSpec>): Array<Required<ClientSpec>> {
  if (clients.length < 2) throw new RangeError(`a match needs at least 2 clients, got ${clients.length}`);
  const specs = clients.map((c, index) => {
    const spec = typeof c === 'string' ? { command: c } : c;
    if (spec.command.trim() === '') throw new RangeError(`client ${index} has an empty command`);
    checkTemplate(spec.command);
    return { command: spec.command, name: spec.name ?? `client-${index}` };
  });
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new RangeError('client names must differ');
  return specs;
}

function readGamelogOutcome(gzipped: Uint8Array, maxBytes: number): GamelogOutcome | null {
  try {
    return gamelogOutcomeOf(JSON.parse(gunzipCapped(gzipped, maxBytes).toString('utf8')));
  } catch {
    return null; // the file is saved as it came; only the result's fallback is lost
  }
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export { resultsSettled } from './session-watch.js';

export async function runMatch(options: RunMatchOptions): Promise<MatchResult> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createSilentLogger();
  const specs = clientSpecs(options.clients);
  if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
  const manager = options.client ?? createManagerClient({ managerUrl: options.managerUrl ?? '', token: options.token, requestTimeoutMs: options.requestTimeoutMs });
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const backoff = options.statusBackoffMs ?? { initial: 500, max: 8_000 };
  const delays = backoffDelays({ attempts: options.statusAttempts ?? 5, initialMs: backoff.initial, maxMs: backoff.max });

  await mkdir(options.outDir, { recursive: true });
  const session = options.session ?? newSessionId(now());
  const password = newMatchPassword();
  const obs: MatchObservation = {
    game: options.game,
    session,
    allocation: null,
    failure: null,
    outcome: null,
    timeoutMs: options.timeoutMs,
    clients: [],
    status: null,
    gamelogFile: null,
    gamelogProblem: null,
    resultFile: join(options.outDir, 'result.json'),
    times: { allocatedAt: null, setupAt: null, startedAt: null, endedAt: 0, begunAt: now() },
  };
  const log = logger.child({ game: options.game, gameSession: session });
  for (const spec of specs) {
    const missing = ['{index}', '{name}'].filter((field) => !spec.command.includes(field));
    if (missing.length > 0) {
      log.warn('client command lacks placeholders Cerveau needs to tell players apart', {
        client: spec.name,
        missing,
        why: 'without {index} Cerveau seats players in the order they connect; without {name} /status cannot say which process won',
      });
    }
  }

  let running: RunningClient[] = [];
  /** Set once the gameserver counts the session: a match that then fails gives its seat back at once. */
  let releaseSeat: (() => Promise<void>) | null = null;
  try {
    let allocation: Allocation;
    try {
      allocation = await manager.allocate({ session, signal: options.signal, waitSeconds: options.waitSeconds });
    } catch (err) {
      const kind = err instanceof ManagerError && err.kind === 'no_server' ? 'no_server' : 'manager_unreachable';
      obs.failure = { kind, reason: (err as Error).message };
      return await finish(obs, now, log);
    }
    obs.allocation = allocation;
    obs.times.allocatedAt = now();
    log.info('server allocated', { host: allocation.host, ports: allocation.ports, serverId: allocation.serverId, backup: allocation.backup });

    const cerveau = createCerveauClient({ host: allocation.host, webPort: allocation.ports.web, timeoutMs: requestTimeoutMs });
    try {
      await cerveau.setup({
        gameName: options.game,
        session,
        password,
        gameSettings: { ...(options.settings ?? {}), playerNames: specs.map((s) => s.name) },
      });
    } catch (err) {
      const unreachable = err instanceof CerveauError && err.status === null;
      obs.failure = { kind: unreachable ? 'server_unreachable' : 'setup_refused', reason: (err as Error).message };
      return await finish(obs, now, log);
    }
    obs.times.setupAt = now();
    releaseSeat = async () => {
      try {
        const released = await cerveau.release(options.game, session, { password, token: options.sidecarToken }, Math.min(requestTimeoutMs, 2_000));
        log.info(released ? 'seat released' : 'seat release not taken', { serverId: allocation.serverId });
      } catch (err) {
        log.info('seat release failed', { serverId: allocation.serverId, error: (err as Error).message });
      }
    };

    running = specs.map((spec, index) => {
      const logFile = join(options.outDir, `client-${index}-${safeFileName(spec.name)}.log`);
      const command = renderCommand(spec.command, {
        host: allocation.host,
        port: allocation.ports.game,
        webPort: allocation.ports.web,
        session,
        password,
        name: spec.name,
        index,
        game: options.game,
      });
      const client = startClient({ index, name: spec.name, command, logFile, passEnv: options.passEnv ?? [], maxLogBytes: options.maxClientLogBytes });
      reapIfOrphaned(options.reaper, client.child.pid, client.exit);
      return client;
    });
    obs.times.startedAt = now();
    log.info('clients started', { clients: specs.map((s) => s.name) });

    // Joueur clients hang when the server goes away: watch it, and stop them if it stops answering.
    const lost = new AbortController();
    const watch = watchGameserver(cerveau, options.game, session, {
      intervalMs: options.watchIntervalMs ?? 1_000,
      failures: options.watchFailures ?? 3,
      timeoutMs: Math.min(requestTimeoutMs, 2_000),
      stop: lost.signal,
    }).then((problem) => {
      if (problem !== null) lost.abort(new Error(problem));
      return problem;
    });
    const outcome = await superviseClients(running, {
      timeoutMs: options.timeoutMs,
      settleMs: options.settleMs ?? 3_000,
      killGraceMs: options.killGraceMs ?? 5_000,
      signal: options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal,
    });
    const lostProblem = lost.signal.aborted ? await watch : null;
    if (!lost.signal.aborted) lost.abort();
    await watch;
    obs.outcome = outcome.kind;
    if (lostProblem !== null && !options.signal?.aborted) {
      obs.failure = { kind: 'gameserver_lost', reason: `the gameserver stopped answering during the match: ${lostProblem}` };
      log.warn('gameserver lost', { problem: lostProblem });
      return await finish(obs, now, log);
    }

    const over = await awaitGameOver(cerveau, options.game, session, delays, options.signal);
    obs.status = over.status;
    obs.gamelogProblem = over.problem;
    obs.neverStarted = over.neverStarted ?? null;
    const filename = over.status?.gamelogFilename;
    if (filename) {
      try {
        const maxBytes = options.maxGamelogBytes ?? DEFAULT_MAX_GAMELOG_BYTES;
        const bytes = await cerveau.gamelog(filename, maxBytes);
        const path = join(options.outDir, 'gamelog.json.gz');
        await writeFile(path, bytes);
        obs.gamelogFile = path;
        obs.gamelogOutcome = readGamelogOutcome(bytes, maxBytes);
      } catch (err) {
        if (err instanceof GamelogTooLargeError) {
          obs.failure = { kind: 'gamelog_too_large', reason: `${err.message} (--max-gamelog-bytes); it was not saved` };
          return await finish(obs, now, log);
        }
        obs.gamelogProblem = `the gamelog ${filename} could not be downloaded: ${(err as Error).message}`;
      }
    }
    return await finish(obs, now, log);
  } catch (err) {
    obs.failure = { kind: 'internal_error', reason: `unexpected error: ${(err as Error).message}` };
    return await finish(obs, now, log);
  } finally {
    // an unexpected error above must not leave clients behind
    await Promise.all(running.map((c) => stopClient(c, 1_000)));
  }

  function snapshotClients(): void {
    obs.clients = running.map((c) => ({
      name: c.name,
      index: c.index,
      logFile: c.logFile,
      exit: c.exited,
      killed: c.killed,
      asksSeat: specs[c.index]?.command.includes('{index}') ?? false,
    }));
  }

  async function finish(o: MatchObservation, clock: () => number, l: Logger): Promise<MatchResult> {
    snapshotClients();
    o.times.endedAt = clock();
    const result = buildMatchResult(o);
    // the clients are stopped first, so that the freed seat cannot still be played in
    if (result.status === 'failed' && releaseSeat) {
      await Promise.all(running.map((c) => stopClient(c, 1_000)));
      await releaseSeat();
    }
    await writeFile(o.resultFile, `${JSON.stringify(result, null, 2)}\n`);
    l.info('match ended', { status: result.status, failure: result.failure, reason: result.reason, winner: result.winner, durationMs: result.timings.durationMs });
    return result;
  }
}
