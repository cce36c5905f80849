// Messages between the simulator and its gameserver worker processes (SIM_WORKERS), over the fork IPC channel.
import type { Endpoint } from './gameserver-host.js';
import type { GameserverState } from './model.js';

export type ToWorker =
  | { op: 'open'; seq: number; taskId: string; gameserver: GameserverState; endpoints: Endpoint[] }
  | { op: 'close'; seq: number; taskId: string }
  | { op: 'sync'; taskId: string; gameserver: GameserverState }
  | { op: 'shutdown' };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'done'; seq: number; ports?: Array<[number, number]>; error?: { code: string; message: string } }
  /** A request to the gameserver (drain, undrain, setup) changed its state. */
  | { kind: 'state'; taskId: string; gameserver: GameserverState };
