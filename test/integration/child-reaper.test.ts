// The reaper stops the process groups it was told of once the manager's end of its pipe closes, as it does when
// the manager is SIGKILLed; test/e2e/local-orphans.test.ts does exactly that to the real manager.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildReaper, REAPER_LABELS, reaperArgs, reaperScript } from '../../src/shared/child-reaper.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { isRunning, liveGroupMembers } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const groups: ChildProcess[] = [];
const reapers: ChildReaper[] = [];

afterEach(async () => {
  await Promise.all(reapers.splice(0).map((r) => r.close()));
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A process group of its own: a shell with two sleeping children, or a node process that ignores SIGTERM. */
function startGroup(kind: 'shell' | 'stubborn'): number {
  const child =
    kind === 'shell'
      ? spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300 & wait'], { detached: true, stdio: 'ignore' })
      : spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
  groups.push(child);
  return child.pid!;
}

describe('the reaper names who is gone and what it stops', () => {
  it.each([
    { user: 'manager', label: REAPER_LABELS.manager, want: 'manager gone; stopping its gameservers' },
    { user: 'runner', label: REAPER_LABELS.runner, want: 'runner gone; stopping its bot clients' },
    { user: 'arena', label: REAPER_LABELS.arena, want: 'arena worker gone; stopping its bots and bot builds' },
  ])('the $user: "$want"', async ({ label, want }) => {
    const shell = startGroup('shell');
    const reaper = spawn(process.execPath, [reaperScript(), ...reaperArgs(label, 200)], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    reaper.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((r) => reaper.once('exit', () => r()));
    reaper.stdin.end(`+${shell}\n`);
    await exited;
    const line = JSON.parse(stderr.trim().split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', message: want, owner: label.owner, stops: label.stops, groups: [shell] });
    expect(liveGroupMembers(shell)).toEqual([]);
  });

  it('refuses a label that is not a few lower-case words', () => {
    expect(() => reaperArgs({ owner: 'manager', stops: 'x"; rm -rf' }, 100)).toThrow(/stops/);
  });
});

describe('ChildReaper', () => {
  it('stops every group it tracks when the pipe ends: SIGTERM, then SIGKILL after the grace; untracked groups stay', async () => {
    const reaper = await ChildReaper.start({ graceMs: 400, logger: createSilentLogger(), label: REAPER_LABELS.manager });
    reapers.push(reaper);
    const shell = startGroup('shell');
    const stubborn = startGroup('stubborn');
    const forgotten = startGroup('shell');
    await waitFor(() => liveGroupMembers(shell).length === 3 && liveGroupMembers(forgotten).length === 3, { what: 'shell groups with their children' });
    reaper.track(shell);
    reaper.track(stubborn);
    reaper.track(forgotten);
    reaper.untrack(forgotten);

    const reaperPid = reaper.pid!;
    const started = Date.now();
    await reaper.close(5_000);
    expect(isRunning(reaperPid)).toBe(false);
    expect(liveGroupMembers(shell)).toEqual([]);
    expect(liveGroupMembers(stubborn)).toEqual([]);
    // the stubborn one only went with SIGKILL, after the grace period
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(liveGroupMembers(forgotten)).toHaveLength(3);
  });

  it('exits at once when nothing it tracks is left', async () => {
    const reaper = await ChildReaper.start({ graceMs: 10_000, logger: createSilentLogger(), label: REAPER_LABELS.manager });
    reapers.push(reaper);
    const shell = startGroup('shell');
    reaper.track(shell);
    process.kill(-shell, 'SIGKILL');
    await waitFor(() => liveGroupMembers(shell).length === 0, { what: 'group gone' });
    const started = Date.now();
    await reaper.close(5_000);
    expect(isRunning(reaper.pid!)).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stops its groups when it is sent SIGTERM by name, as pkill would', async () => {
    const reaper = await ChildReaper.start({ graceMs: 200, logger: createSilentLogger(), label: REAPER_LABELS.manager });
    reapers.push(reaper);
    const shell = startGroup('shell');
    reaper.track(shell);
    await waitFor(() => liveGroupMembers(shell).length === 3, { what: 'shell group' });
    // No pause: the line is in the pipe before the signal is sent, and the reaper's loop reads it first.
    process.kill(reaper.pid!, 'SIGTERM');
    await waitFor(() => liveGroupMembers(shell).length === 0 && !isRunning(reaper.pid!), { what: 'group and reaper gone' });
  });

  it('start() waits until the reaper listens, and fails when it cannot start', async () => {
    const shell = startGroup('shell');
    await waitFor(() => liveGroupMembers(shell).length === 3, { what: 'shell group' });
    const reaper = await ChildReaper.start({ graceMs: 200, logger: createSilentLogger(), label: REAPER_LABELS.manager });
    reapers.push(reaper);
    // At once after start: before its handlers, SIGTERM's default action would end it and leave the group.
    reaper.track(shell);
    process.kill(reaper.pid!, 'SIGTERM');
    await waitFor(() => liveGroupMembers(shell).length === 0, { what: 'group gone' });
    await expect(
      ChildReaper.start({ graceMs: 200, logger: createSilentLogger(), label: REAPER_LABELS.manager, script: '/dev/null' }),
    ).rejects.toThrow(/reaper exited at start|did not start/);
  });
});
