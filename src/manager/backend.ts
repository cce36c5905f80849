// The one interface the manager uses to reach gameserver infrastructure. The manager never
// imports the AWS SDK or child_process: src/aws and src/local implement this.
import type { BackendServer } from './types.js';

export interface LaunchFailure {
  /** Short machine-readable reason, e.g. ECS `RESOURCE:MEMORY` or `spawn-error`. */
  reason: string;
  detail?: string;
}

export interface LaunchResult {
  /** Servers the backend accepted; usually `starting`, possibly with no address yet. */
  launched: BackendServer[];
  /** One entry per server that could not be launched. */
  failures: LaunchFailure[];
}

export interface Backend {
  readonly kind: 'local' | 'ecs';
  /**
   * Every server of this fleet the backend knows of, including ones stopped recently.
   * Throws when the observation is incomplete, so that the caller does not scale on it.
   */
  list(): Promise<BackendServer[]>;
  /**
   * Optional cheap update of known servers between full resyncs (ECS: DescribeTasks of known
   * tasks). Servers that no longer exist come back with status `stopped`. Without it the manager
   * calls list() every tick.
   */
  refresh?(ids: readonly string[]): Promise<BackendServer[]>;
  /**
   * Optional full resync that describes only what it must: the servers listed and not in `settled`
   * (unknown ones, or ones something suggests changed), and every listed as stopped. The ids of
   * `settled` that the listing still shows running come back in `unchanged`, undescribed.
   */
  resync?(settled: ReadonlySet<string>): Promise<{ servers: BackendServer[]; unchanged: string[] }>;
  /**
   * Starts `count` servers. `names` (one per server, from the manager, which owns names) are recorded durably with
   * each server (the ECS name tag); a backend that cannot name at launch leaves the name empty and the manager
   * names it through `rename`. Partial success is reported in `failures`, not thrown.
   */
  launch(count: number, names?: readonly string[]): Promise<LaunchResult>;
  /** Records a server's new name durably (the ECS name tag), so a restarted manager finds it again. */
  rename?(id: string, name: string): Promise<void>;
  /** Stops a server. Stopping one that is already gone is not an error. */
  stop(id: string, reason: string): Promise<void>;
  /**
   * Records standby durably, so a restarted manager finds it again; `held` (an operator's drain) is recorded with it
   * and cleared when standby is.
   */
  markStandby(id: string, standby: boolean, held?: boolean): Promise<void>;
  /** Releases what the backend holds (timers, clients). Local mode also stops its children. */
  close(): Promise<void>;
}
