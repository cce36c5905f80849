// What the HTTP layer needs from the rest of the program: narrow, so tests pass a fake.
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/log.js';
import type { Manager } from '../manager/manager.js';
import type { SecurityOptions } from './security-options.js';

export type ManagerApi = Pick<
  Manager,
  | 'allocate'
  | 'allocateWaiting'
  | 'setDemand'
  | 'demandView'
  | 'servers'
  | 'server'
  | 'rotation'
  | 'status'
  | 'heartbeat'
  | 'drain'
  | 'undrain'
  | 'stopServer'
  | 'setPaused'
  | 'history'
>;

export type { SecurityOptions };

export interface ApiDeps {
  manager: ManagerApi;
  logger: Logger;
  security: SecurityOptions;
  /** Prometheus registry served at /metrics. */
  registry: Registry;
  /** The web port a backup gameserver answers on, for the allocation's `ports`. */
  backupWebPort?: number;
  /** Names and listen address for GET /api/proxy/nginx; the route is off without it. */
  proxy?: { prefix: string; words: readonly string[]; basePort: number; listenHost: string };
}
