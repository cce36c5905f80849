// Watching one Cerveau session from the runner: while the clients play (is the gameserver still there?), and after
// they are done (is the game over, with its gamelog and results?). Every wait is bounded.
import { sleep } from './backoff.js';
import { CerveauError, type CerveauClient, type SessionStatus } from './cerveau-client.js';

/** Polls /status until over with a gamelog name, within a bounded number of tries. */
export async function awaitGameOver(
  cerveau: CerveauClient,
  game: string,
  session: string,
  delays: number[],
  signal?: AbortSignal,
): Promise<{ status: SessionStatus | null; problem: string | null; neverStarted?: { joined: number; required: number } }> {
  let last: SessionStatus | null = null;
  let problem: string | null = null;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    if (attempt > 0) await sleep(delays[attempt - 1] ?? 0, signal);
    try {
      last = await cerveau.status(game, session);
      // Called once the clients are done: a session still waiting for players will never start.
      if (last.status === 'empty' || last.status === 'open') {
        const joined = last.clients.filter((c) => !c.spectating).length;
        return { status: last, problem: `the game never started (${last.status})`, neverStarted: { joined, required: last.requiredNumberOfPlayers ?? 2 } };
      }
      // Cerveau names the gamelog a few milliseconds before it fills in who won: wait for both, but on the
      // last try a gamelog without the players' results still beats none.
      if (last.status === 'over' && last.gamelogFilename && (resultsSettled(last) || attempt === delays.length)) return { status: last, problem: null };
      problem =
        last.status !== 'over'
          ? `the game was still ${last.status}`
          : last.gamelogFilename
            ? "the game is over but the players' results were not written yet"
            : 'the game is over but its gamelog was not written in time';
    } catch (err) {
      problem = `status could not be read: ${(err as Error).message}`;
    }
    if (signal?.aborted) break;
  }
  return { status: last, problem: `${problem ?? 'no status'} after ${delays.length + 1} tries` };
}

/**
 * Polls /status while the match runs. Resolves with the last problem once `failures` polls in a row got no answer,
 * or null when `stop` is aborted first. An answer of any kind (even `over`) counts as the gameserver being there.
 */
export async function watchGameserver(
  cerveau: CerveauClient,
  game: string,
  session: string,
  options: { intervalMs: number; failures: number; timeoutMs: number; stop: AbortSignal },
): Promise<string | null> {
  let failed = 0;
  while (!options.stop.aborted) {
    try {
      await sleep(options.intervalMs, options.stop);
    } catch {
      return null;
    }
    if (options.stop.aborted) return null;
    try {
      await cerveau.status(game, session, options.timeoutMs);
      failed = 0;
    } catch (err) {
      // a 4xx is an answer; silence, or a sidecar saying its Cerveau is unreachable (5xx), means it is gone
      if (err instanceof CerveauError && err.status !== null && err.status < 500) {
        failed = 0;
        continue;
      }
      failed += 1;
      if (failed >= options.failures) return `${failed} status polls in a row got no answer (${(err as Error).message})`;
    }
  }
  return null;
}

/** Every player of an `over` status has its won/lost flags (spectators do not count). */
export function resultsSettled(status: SessionStatus): boolean {
  return status.clients.filter((c) => !c.spectating).every((c) => typeof c.won === 'boolean' && typeof c.lost === 'boolean');
}
