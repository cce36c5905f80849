// The runner's vocabulary: what the manager hands out, what a match produced, and why one failed.

export interface Allocation {
  /** The legacy `available` field, host:gamePort. */
  address: string;
  host: string;
  ports: { game: number; web: number };
  serverId: string | null;
  name: string | null;
  /** True when the manager had no room and handed out its backup server. */
  backup: boolean;
}

/** Why a match did not complete; each maps to its own exit code (see exit-codes.ts). */
export type FailureKind =
  | 'manager_unreachable'
  | 'no_server'
  | 'server_unreachable'
  | 'setup_refused'
  | 'client_crashed'
  | 'timeout'
  /** The clients were done (or stopped) and the game had not started: not enough of them ever joined the session. */
  | 'clients_never_connected'
  | 'no_gamelog'
  /** The gamelog, as received or decompressed, is larger than --max-gamelog-bytes. */
  | 'gamelog_too_large'
  /** The gameserver stopped answering while the match ran; the clients were stopped. */
  | 'gameserver_lost'
  | 'interrupted'
  | 'internal_error';

export type MatchOutcome = 'win' | 'draw' | 'none';

export interface ClientSpec {
  /** A /bin/sh command template, e.g. `python main.py Chess -s {host}:{port} -r {session} -n {name}`. */
  command: string;
  name?: string;
}

export interface ClientResult {
  name: string;
  index: number;
  /** From Cerveau's /status; null when the game never reported it. */
  won: boolean | null;
  lost: boolean | null;
  reason: string | null;
  exitCode: number | null;
  signal: string | null;
  /** Stopped by the runner (after the first exit or the timeout) rather than exiting on its own. */
  killed: boolean;
  logFile: string;
}

export interface MatchTimings {
  allocatedAt: string | null;
  setupAt: string | null;
  startedAt: string | null;
  endedAt: string;
  durationMs: number;
}

export interface MatchResult {
  status: 'completed' | 'failed';
  /** One sentence a person can act on. */
  reason: string;
  failure: FailureKind | null;
  game: string;
  session: string;
  server: { id: string | null; name: string | null; host: string; ports: { game: number; web: number }; backup: boolean } | null;
  /**
   * How the game ended: `win` (a player won), `draw` (Cerveau ended it with nobody winning: it then marks every player
   * lost, with a reason such as "Draw - …" or "Stalemate - …"), `none` (no game result: see `failure`).
   */
  outcome: MatchOutcome;
  winner: string | null;
  /** Players who lost; empty for a draw. */
  losers: string[];
  clients: ClientResult[];
  timings: MatchTimings;
  files: { gamelog: string | null; result: string };
}
