// The ECS + EC2 wire-level simulator: real SDK clients point at `sim.url` (AWS_ENDPOINT_URL_ECS / _EC2).
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '../src/shared/log.js';
import { listenOn } from '../src/shared/listen.js';
import { SimAdmin } from './admin.js';
import type { SimContext } from './context.js';
import { Faults } from './faults.js';
import { GameserverHost, type GameserverHosting } from './gameserver-host.js';
import { WorkerHosting } from './gameserver-workers.js';
import { claimIpBase, holdIpBase } from './ip-base.js';
import { resolveSimOptions, type ResolvedSimOptions, type SimOptions } from './options.js';
import { createSimServer } from './server.js';
import { SimState } from './state.js';
import { registerDefaultTaskDefinition } from './task-definitions.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { Throttler } from './throttle.js';

export type { SimOptions } from './options.js';
export type { SimTaskView, SimInstanceView, GameserverPatch, FaultsView, StrayRequest } from './admin.js';
export type { FaultSettings, CallCounters } from './faults.js';
export { BUCKET_LIMITS } from './throttle.js';
export { GAME_PORT, WEB_PORT } from './task-definitions.js';

export interface Sim {
  /** http://127.0.0.1:PORT — the endpoint for both ECS and EC2 clients, and the /_sim/ admin API. */
  readonly url: string;
  readonly port: number;
  readonly options: Readonly<ResolvedSimOptions>;
  /** Typed access to what /_sim/ offers over HTTP. */
  readonly admin: SimAdmin;
  /** `arn:aws:ecs:REGION:ACCOUNT:cluster/NAME` */
  clusterArn(name?: string): string;
  /** The gameserver worker processes' pids (SIM_WORKERS); empty when the listeners live in this process. */
  workerPids(): number[];
  close(): Promise<void>;
}

export async function startSim(options: SimOptions = {}, logger?: Logger): Promise<Sim> {
  resolveSimOptions(options); // bad options fail before anything is bound
  const claim = options.ipBase === undefined ? await claimIpBase() : await holdIpBase(options.ipBase);
  const resolved = resolveSimOptions({ ...options, ipBase: claim.ipBase });
  const log = logger ?? createLogger({ level: resolved.verbose ? 'info' : 'warn', base: { component: 'sim' } });
  const state = new SimState(resolved);
  registerDefaultTaskDefinition(state, Date.now(), resolved.taskNetworkMode);
  let host: GameserverHosting;
  try {
    host = resolved.workers > 0 ? await WorkerHosting.start(resolved.workers) : new GameserverHost();
  } catch (err) {
    await claim.release();
    throw err;
  }
  const simLog = { info: (m: string, f: Record<string, unknown>) => log.info(m, f), warn: (m: string, f: Record<string, unknown>) => log.warn(m, f) };
  const ctx: SimContext = {
    state,
    host,
    lifecycle: new TaskLifecycle(state, host, simLog),
    faults: new Faults(),
    throttler: new Throttler(resolved.throttling),
    log: simLog,
    timers: new Set(),
    closed: false,
  };
  const admin = new SimAdmin(ctx);
  const server = createSimServer(ctx, admin);
  server.keepAliveTimeout = 5000;
  try {
    await listenOn(server, resolved.port, resolved.host);
  } catch (err) {
    await host.close();
    await claim.release();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ctx.closed = true;
      try {
        ctx.lifecycle.close();
      } catch (err) {
        log.warn('sim close step failed', { step: 'lifecycle', error: (err as Error).message });
      }
      for (const timer of ctx.timers) clearTimeout(timer);
      ctx.timers.clear();
      try {
        await host.close();
      } catch (err) {
        log.warn('sim close step failed', { step: 'gameservers', error: (err as Error).message });
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await claim.release();
    })();
    return closing;
  };

  return {
    url: `http://${resolved.host}:${port}`,
    port,
    options: resolved,
    admin,
    clusterArn: (name = 'default') => state.arn(`cluster/${name}`),
    workerPids: () => (host instanceof WorkerHosting ? host.pids() : []),
    close,
  };
}
