// The runner's public client: the manager's allocation API (manager-client.ts) plus running a match through it.
import { createManagerClient, type ArbiterClientOptions, type ManagerClient } from './manager-client.js';
import { runMatch, type RunMatchOptions } from './run-match.js';
import type { MatchResult } from './types.js';

export {
  LEGACY_WEB_PORT_OFFSET,
  MAX_WAIT_SECONDS,
  ManagerError,
  parseAllocation,
  type ArbiterClientOptions,
  type DemandSignal,
  type ManagerErrorKind,
} from './manager-client.js';

export interface ArbiterClient extends ManagerClient {
  runMatch(options: Omit<RunMatchOptions, 'client'>): Promise<MatchResult>;
}

export function createArbiterClient(options: ArbiterClientOptions): ArbiterClient {
  const client: ArbiterClient = {
    ...createManagerClient(options),
    runMatch: (matchOptions) => runMatch({ ...matchOptions, client }),
  };
  return client;
}
