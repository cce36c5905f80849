// The match runner as a library: allocate a gameserver from Arbiter and run a Cerveau match on it.
export { createArbiterClient, parseAllocation, ManagerError, LEGACY_WEB_PORT_OFFSET, MAX_WAIT_SECONDS } from './arbiter-client.js';
export type { ArbiterClient, ArbiterClientOptions, DemandSignal, ManagerErrorKind } from './arbiter-client.js';
export { runMatch, newSessionId, newMatchPassword } from './run-match.js';
export type { RunMatchOptions } from './run-match.js';
export { runBatch, parseBatch, BatchFileError } from './batch.js';
export type { BatchOptions, BatchSummary, BatchLine } from './batch.js';
export { renderCommand, shellQuote, TEMPLATE_FIELDS } from './command-template.js';
export { exitCodeFor, FAILURE_EXIT_CODES, EXIT_BATCH_FAILURES, EXIT_USAGE } from './exit-codes.js';
export type { Allocation, ClientSpec, ClientResult, FailureKind, MatchOutcome, MatchResult, MatchTimings } from './types.js';
export { ChildReaper, REAPER_LABELS, type ReaperLabel, type ReaperLink } from '../shared/child-reaper.js';
