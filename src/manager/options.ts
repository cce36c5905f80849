// What the manager reads of its configuration: the scaling rules (§3.3) and the health polls (§3.1).
// src/config resolves the environment into values of this shape; src/main.ts passes them in.
import type { MinServersRule } from '../shared/min-schedule-syntax.js';

export interface ScalingConfig {
  upscaleMargin: number;
  downscaleMargin: number;
  /** Sessions one gameserver holds; also what a pending server is counted as. */
  capacity: number;
  minServers: number;
  /** Cron rules that change the minimum over the week (MIN_SERVERS_SCHEDULE). */
  minSchedule?: MinServersRule[];
  scheduleTimezone?: string | undefined;
  maxServers: number;
  maxLaunchPerTick: number;
  sleepMs: number;
  strategy: 'packed' | 'spread';
  reservationTtlMs: number;
  /** Time a client has to take its slot before a poll may cancel the reservation (JOIN_GRACE). */
  joinGraceMs?: number;
  /** No server goes to standby within this time of its launch, the last scale-up or its last allocation (SCALE_IN_DELAY). */
  scaleInDelayMs?: number;
  /** `margin`: hold UPSCALE_MARGIN free; `demand`: also the measured arrival rate × launch latency (SCALING_MODE). */
  mode?: 'margin' | 'demand';
}

export interface HealthConfig {
  pollIntervalMs: number;
  timeoutMs: number;
  failThreshold: number;
  startTimeoutMs: number;
  concurrency: number;
  resyncIntervalMs: number;
}
