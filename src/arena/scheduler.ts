// Tournament pairings, pure: round-robin and N-elimination, each pairing a best-of-N series with alternating seats.
export interface Entrant {
  /** Submission id (ophelia) or player name (arbiter schema). */
  id: string;
  name: string;
}

export interface PlannedGame {
  round: number;
  series: number;
  /** Seat 0 first. */
  seats: [Entrant, Entrant];
}

function series(a: Entrant, b: Entrant, bestOf: number, round: number, seriesNo: number): PlannedGame[] {
  // alternate who sits first, so neither side keeps the first-move advantage
  return Array.from({ length: bestOf }, (_, k) => ({ round, series: seriesNo, seats: k % 2 === 0 ? [a, b] : [b, a] }));
}

/** Every pair once (as one best-of-N series). */
export function planRoundRobin(entrants: readonly Entrant[], bestOf: number): PlannedGame[] {
  checkBestOf(bestOf);
  const games: PlannedGame[] = [];
  let n = 0;
  for (let i = 0; i < entrants.length; i++) {
    for (let j = i + 1; j < entrants.length; j++) games.push(...series(entrants[i]!, entrants[j]!, bestOf, 1, n++));
  }
  return games;
}

export interface SeriesResult {
  round: number;
  series: number;
  /** Entrant ids; null when a game of the series is not over yet. */
  winner: string | null;
  players: [string, string];
}

export type EliminationPlan =
  | { kind: 'round'; games: PlannedGame[]; byes: Entrant[] }
  | { kind: 'waiting'; openSeries: number }
  | { kind: 'champion'; champion: Entrant | null };

/**
 * The next round of an N-elimination tournament (an entrant is out after `lives` lost series): entrants still in are
 * paired by fewest losses, then seed order; an odd one out gets a bye. Nothing is planned while a series is open.
 */
export function planEliminationRound(entrants: readonly Entrant[], done: readonly SeriesResult[], lives: number, bestOf: number): EliminationPlan {
  checkBestOf(bestOf);
  if (!Number.isInteger(lives) || lives < 1) throw new RangeError('lives must be a positive integer');
  const open = done.filter((s) => s.winner === null).length;
  if (open > 0) return { kind: 'waiting', openSeries: open };
  const losses = new Map(entrants.map((e) => [e.id, 0]));
  for (const s of done) {
    const loser = s.players[0] === s.winner ? s.players[1] : s.players[0];
    losses.set(loser, (losses.get(loser) ?? 0) + 1);
  }
  const alive = entrants.filter((e) => (losses.get(e.id) ?? 0) < lives);
  if (alive.length <= 1) return { kind: 'champion', champion: alive[0] ?? null };
  const ordered = [...alive].sort((a, b) => (losses.get(a.id) ?? 0) - (losses.get(b.id) ?? 0));
  const round = done.reduce((m, s) => Math.max(m, s.round), 0) + 1;
  const firstSeries = done.reduce((m, s) => Math.max(m, s.series + 1), 0);
  const games: PlannedGame[] = [];
  const byes: Entrant[] = [];
  for (let i = 0; i < ordered.length; i += 2) {
    const a = ordered[i]!;
    const b = ordered[i + 1];
    if (!b) byes.push(a);
    else games.push(...series(a, b, bestOf, round, firstSeries + i / 2));
  }
  return { kind: 'round', games, byes };
}

/** The series winner from its games' winners (entrant ids, null for unfinished or failed); null while undecided. */
export function seriesWinner(players: [string, string], winners: ReadonlyArray<string | null>, bestOf: number, allEnded: boolean): string | null {
  const need = Math.floor(bestOf / 2) + 1;
  const wins = players.map((p) => winners.filter((w) => w === p).length);
  if (wins[0]! >= need) return players[0];
  if (wins[1]! >= need) return players[1];
  if (!allEnded) return null;
  // every game ended without a majority (draws, failures): the higher seed goes through
  return wins[1]! > wins[0]! ? players[1] : players[0];
}

function checkBestOf(bestOf: number): void {
  if (!Number.isInteger(bestOf) || bestOf < 1 || bestOf % 2 === 0) throw new RangeError('best-of must be an odd positive integer');
}
