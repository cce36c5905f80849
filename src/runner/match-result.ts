// Builds the result of a match from what was observed. Pure: the caller supplies times and observations.
import type { SessionStatus } from './cerveau-client.js';
import type { ClientExit } from './client-processes.js';
import type { Allocation, ClientResult, FailureKind, MatchResult } from './types.js';

export interface ClientObservation {
  name: string;
  index: number;
  logFile: string;
  exit: ClientExit | null;
  killed: boolean;
}

export interface MatchObservation {
  game: string;
  session: string;
  allocation: Allocation | null;
  /** A failure found before or during the match that the game's status cannot undo. */
  failure: { kind: FailureKind; reason: string } | null;
  /** How the client wait ended; null when clients never started. */
  outcome: 'exited' | 'timeout' | 'interrupted' | null;
  timeoutMs: number;
  clients: ClientObservation[];
  status: SessionStatus | null;
  gamelogFile: string | null;
  /** Why the gamelog is missing, when it is. */
  gamelogProblem: string | null;
  resultFile: string;
  times: { allocatedAt: number | null; setupAt: number | null; startedAt: number | null; endedAt: number; begunAt: number };
}

type StatusClient = SessionStatus['clients'][number];

function findStatusClient(status: SessionStatus | null, client: ClientObservation): StatusClient | undefined {
  const players = (status?.clients ?? []).filter((c) => !c.spectating);
  return players.find((c) => c.name === client.name) ?? players.find((c) => c.index === client.index);
}

/** A client that stopped on its own with a non-zero code or a signal, or whose shell never started. */
export function crashedClient(client: ClientObservation): boolean {
  if (!client.exit || client.killed) return false;
  return client.exit.error !== undefined || client.exit.signal !== null || (client.exit.code ?? 0) !== 0;
}

function describeExit(exit: ClientExit): string {
  if (exit.error) return `could not start (${exit.error})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The first failure that applies, in order: earlier steps, timeout, client crash, missing gamelog. */
function classify(o: MatchObservation): { kind: FailureKind; reason: string } | null {
  if (o.failure) return o.failure;
  if (o.outcome === 'interrupted') return { kind: 'interrupted', reason: 'the run was interrupted; clients were stopped' };
  if (o.outcome === 'timeout') {
    return { kind: 'timeout', reason: `no client finished within ${Math.round(o.timeoutMs / 1000)} s; clients were stopped` };
  }
  const crashed = o.clients.find(crashedClient);
  if (crashed?.exit) return { kind: 'client_crashed', reason: `client ${crashed.name} (index ${crashed.index}) ${describeExit(crashed.exit)}` };
  if (!o.gamelogFile) return { kind: 'no_gamelog', reason: o.gamelogProblem ?? 'the game produced no gamelog' };
  return null;
}

export function buildMatchResult(o: MatchObservation): MatchResult {
  const clients: ClientResult[] = o.clients.map((c) => {
    const seen = findStatusClient(o.status, c);
    return {
      name: c.name,
      index: c.index,
      won: seen?.won ?? null,
      lost: seen?.lost ?? null,
      reason: seen?.reason ?? null,
      exitCode: c.exit?.code ?? null,
      signal: c.exit?.signal ?? null,
      killed: c.killed,
      logFile: c.logFile,
    };
  });
  const failure = classify(o);
  const a = o.allocation;
  return {
    status: failure ? 'failed' : 'completed',
    reason: failure ? failure.reason : 'the game is over and its gamelog was saved',
    failure: failure?.kind ?? null,
    game: o.game,
    session: o.session,
    server: a ? { id: a.serverId, name: a.name, host: a.host, ports: a.ports, backup: a.backup } : null,
    winner: clients.find((c) => c.won === true)?.name ?? null,
    losers: clients.filter((c) => c.lost === true).map((c) => c.name),
    clients,
    timings: {
      allocatedAt: iso(o.times.allocatedAt),
      setupAt: iso(o.times.setupAt),
      startedAt: iso(o.times.startedAt),
      endedAt: new Date(o.times.endedAt).toISOString(),
      durationMs: o.times.endedAt - o.times.begunAt,
    },
    files: { gamelog: o.gamelogFile, result: o.resultFile },
  };
}
