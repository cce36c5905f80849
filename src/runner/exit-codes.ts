// Exit codes of arbiter-run-match: 0 only for a completed match with its gamelog, one code per failure class.
import type { FailureKind } from './types.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
/** Batch mode: at least one match failed (each match's own class is in its result.json). */
export const EXIT_BATCH_FAILURES = 12;

export const FAILURE_EXIT_CODES: Readonly<Record<FailureKind, number>> = {
  internal_error: 1,
  manager_unreachable: 3,
  no_server: 4,
  server_unreachable: 5,
  setup_refused: 6,
  client_crashed: 7,
  timeout: 8,
  no_gamelog: 9,
  gamelog_too_large: 10,
  gameserver_lost: 11,
  clients_never_connected: 13,
  interrupted: 130,
};

export function exitCodeFor(failure: FailureKind | null): number {
  return failure === null ? EXIT_OK : FAILURE_EXIT_CODES[failure];
}
