// Process groups, the one way every process here starts and stops what it runs (gameservers, match clients, bot
// builds): a child leads a group of its own, so a signal to the group also reaches whatever a shell or make started,
// and a Ctrl-C meant for the parent does not reach it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Spawns `file` as the leader of a new process group (detached), whose id is then its pid. */
export function spawnGroupLeader(file: string, args: readonly string[], options: Omit<SpawnOptions, 'detached'>): ChildProcess {
  return spawn(file, args, { ...options, detached: true });
}

/** Sends `signal` to the group `pgid`. False when it cannot be signalled (it is gone, or not ours). */
export function signalGroup(pgid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signals the child's whole group, or the child alone when the group cannot be signalled. */
export function signalGroupOrLeader(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || signalGroup(child.pid, signal)) return;
  try {
    child.kill(signal);
  } catch {
    // already gone: its exit event tells the rest
  }
}

/** Whether anything is left in the group `pgid`. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours to signal, so nothing here can stop it either
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
