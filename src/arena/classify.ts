// Whose fault a failed match is: the fleet's (the match goes back to the queue) or the bots' (the match fails).
import type { FailureKind } from '../runner/index.js';

export type Verdict = 'requeue' | 'fail';

const FLEET: ReadonlySet<FailureKind> = new Set(['manager_unreachable', 'no_server', 'server_unreachable', 'setup_refused']);

/**
 * `serverAlive` is a probe made after the match: a client that crashed or a missing gamelog on a gameserver that no
 * longer answers is the gameserver's death, not the bot's.
 */
export function classifyFailure(kind: FailureKind | null, serverAlive: boolean | null): Verdict {
  if (kind === null) return 'fail';
  if (FLEET.has(kind)) return 'requeue';
  if ((kind === 'client_crashed' || kind === 'clients_never_connected' || kind === 'no_gamelog' || kind === 'internal_error') && serverAlive === false) return 'requeue';
  return 'fail';
}
