// Builds the result of a match from what was observed. Pure: the caller supplies times and observations.
import type { SessionStatus } from './cerveau-client.js';
import type { ClientExit } from './client-processes.js';
import type { Allocation, ClientResult, FailureKind, MatchOutcome, MatchResult } from './types.js';

export interface ClientObservation {
  name: string;
  index: number;
  logFile: string;
  exit: ClientExit | null;
  killed: boolean;
  /** Whether its command passed `{index}`, so that it sat in the seat the setup's playerNames give its name. */
  asksSeat?: boolean;
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
  /** Winners and losers as the gamelog records them (names are the setup's playerNames, by player index). */
  gamelogOutcome?: GamelogOutcome | null;
  /**
   * Set when, once the clients were done, the session still waited for players (`empty` or `open`): no game was
   * played. `joined` is how many players Cerveau listed, `required` how many the game needs.
   */
  neverStarted?: { joined: number; required: number } | null;
  /** Why the gamelog is missing, when it is. */
  gamelogProblem: string | null;
  resultFile: string;
  times: { allocatedAt: number | null; setupAt: number | null; startedAt: number | null; endedAt: number; begunAt: number };
}

export interface GamelogOutcome {
  winners: Array<{ name: string; reason: string | null }>;
  losers: Array<{ name: string; reason: string | null }>;
}

interface Verdict {
  won: boolean;
  lost: boolean;
  reason: string | null;
}

/**
 * How the game ended for one client, from the evidence that really identifies it:
 * 1. /status by name, when exactly one player has this client's name (the client passed `{name}` to Cerveau);
 * 2. the gamelog by name, which Cerveau takes from the setup's playerNames by player index (only when the client
 *    asked for its `{index}`; otherwise nothing).
 * Never /status by index: Cerveau numbers /status clients in the order they connected, not by player index.
 */
function verdictOf(o: MatchObservation, client: ClientObservation): Verdict | null {
  const players = (o.status?.clients ?? []).filter((c) => !c.spectating);
  const named = players.filter((c) => c.name === client.name);
  const seen = named.length === 1 ? named[0] : undefined;
  if (seen && typeof seen.won === 'boolean' && typeof seen.lost === 'boolean') return { won: seen.won, lost: seen.lost, reason: seen.reason ?? null };
  const log = o.gamelogOutcome;
  // Without {index}, Cerveau seats clients in the order they connect, and the gamelog's names may be swapped.
  if (!log || client.asksSeat === false) return null;
  const win = log.winners.filter((w) => w.name === client.name);
  const loss = log.losers.filter((l) => l.name === client.name);
  if (win.length + loss.length !== 1) return null;
  return { won: win.length === 1, lost: loss.length === 1, reason: (win[0] ?? loss[0])?.reason ?? null };
}

/** Winners and losers from a gamelog's JSON, or null when it does not hold them. */
export function gamelogOutcomeOf(gamelog: unknown): GamelogOutcome | null {
  const g = gamelog as { winners?: unknown; losers?: unknown } | null;
  if (!g || !Array.isArray(g.winners) || !Array.isArray(g.losers)) return null;
  const entries = (list: unknown[]) =>
    list.flatMap((e) => {
      const entry = e as { name?: unknown; reason?: unknown } | null;
      return typeof entry?.name === 'string' ? [{ name: entry.name, reason: typeof entry.reason === 'string' ? entry.reason : null }] : [];
    });
  return { winners: entries(g.winners), losers: entries(g.losers) };
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

/** The first failure that applies, in order: earlier steps, interruption, a game that never started, timeout, client crash, missing gamelog. */
function classify(o: MatchObservation): { kind: FailureKind; reason: string } | null {
  if (o.failure) return o.failure;
  if (o.outcome === 'interrupted') return { kind: 'interrupted', reason: 'the run was interrupted; clients were stopped' };
  const crashed = o.clients.find(crashedClient);
  if (o.neverStarted && !crashed) {
    const { joined, required } = o.neverStarted;
    return { kind: 'clients_never_connected', reason: `no game was played: ${joined} of ${required} players joined the session before the clients ended` };
  }
  // a client that crashed before the game started says more than "nobody came" or "timeout"
  if (o.neverStarted && crashed?.exit) return { kind: 'client_crashed', reason: `client ${crashed.name} (index ${crashed.index}) ${describeExit(crashed.exit)} before the game started` };
  if (o.outcome === 'timeout') {
    return { kind: 'timeout', reason: `no client finished within ${Math.round(o.timeoutMs / 1000)} s; clients were stopped` };
  }
  if (crashed?.exit) return { kind: 'client_crashed', reason: `client ${crashed.name} (index ${crashed.index}) ${describeExit(crashed.exit)}` };
  if (!o.gamelogFile) return { kind: 'no_gamelog', reason: o.gamelogProblem ?? 'the game produced no gamelog' };
  return null;
}

/**
 * Win or draw, from the game's own record: /status's players' flags, else the gamelog's winners and losers. Cerveau has
 * no draw flag: a game that ends with nobody winning marks every player lost (base endGame's "Draw", Chess's
 * "Draw - …" and "Stalemate - …" reasons). A tie broken by coin flip has a winner, so it is a win.
 */
function outcomeOf(o: MatchObservation, failure: FailureKind | null): MatchOutcome {
  if (failure !== null) return 'none';
  const players = (o.status?.clients ?? []).filter((c) => !c.spectating && typeof c.won === 'boolean' && typeof c.lost === 'boolean');
  if (players.length > 0) {
    if (players.some((c) => c.won === true)) return 'win';
    if (players.every((c) => c.lost === true)) return 'draw';
  }
  const log = o.gamelogOutcome;
  if (log && log.winners.length > 0) return 'win';
  if (log && log.losers.length > 0) return 'draw';
  return 'none';
}

export function buildMatchResult(o: MatchObservation): MatchResult {
  const failure = classify(o);
  // When the runner stopped the clients, Cerveau awards the game to whoever disconnected last: not a result.
  const decided = failure?.kind !== 'timeout' && failure?.kind !== 'interrupted';
  const clients: ClientResult[] = o.clients.map((c) => {
    const verdict = verdictOf(o, c);
    const seen = decided ? verdict : verdict && { won: null, lost: null, reason: verdict.reason };
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
  const a = o.allocation;
  const outcome = outcomeOf(o, failure?.kind ?? null);
  return {
    status: failure ? 'failed' : 'completed',
    reason: failure ? failure.reason : 'the game is over and its gamelog was saved',
    failure: failure?.kind ?? null,
    game: o.game,
    session: o.session,
    server: a ? { id: a.serverId, name: a.name, host: a.host, ports: a.ports, backup: a.backup } : null,
    outcome,
    winner: clients.find((c) => c.won === true)?.name ?? null,
    // in a draw Cerveau marks everyone lost; nobody lost the game
    losers: outcome === 'draw' ? [] : clients.filter((c) => c.lost === true).map((c) => c.name),
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
