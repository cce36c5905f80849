import { describe, expect, it, vi } from 'vitest';
import { Fleet } from '../../src/manager/fleet.js';
import { History } from '../../src/manager/history.js';
import { OperatorCommands, type AdminResult } from '../../src/manager/operator-commands.js';
import type { ServerView } from '../../src/manager/snapshot.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { makeBackendServer } from '../support/factories.js';

type Server = 'unknown' | 'running' | 'stopping' | 'busy';

function harness(server: Server, executorAccepts = true) {
  const clock = new ManualClock(1_000);
  const fleet = new Fleet({ failThreshold: 3, listingGraceMs: 0 });
  if (server !== 'unknown') fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true);
  if (server === 'stopping') fleet.markStopping('a', 'stopped by the backend');
  if (server === 'busy') fleet.setBusy('a', true);
  const executor = { applyStandby: vi.fn(() => executorAccepts), stop: vi.fn(() => executorAccepts) };
  const history = new History();
  const wakes: string[] = [];
  const operator = new OperatorCommands({
    fleet,
    executor,
    history,
    clock,
    logger: createSilentLogger(),
    minServers: 1,
    maxServers: 5,
    view: (id) => ({ id }) as ServerView,
    wake: (cause) => wakes.push(cause),
  });
  const lines = () => history.snapshot(clock.now()).events.map((e) => `${e.kind} ${e.serverId}: ${e.reason}`);
  return { operator, executor, wakes, lines };
}

const code = (r: AdminResult) => (r.ok ? 'ok' : r.code);

describe('OperatorCommands', () => {
  const refused = { standby: null, wakes: [], lines: [] };
  it.each<{ name: 'drain' | 'undrain'; server: Server; want: string; standby: unknown[] | null; wakes: string[]; lines: string[] }>([
    { name: 'drain', server: 'running', want: 'ok', standby: ['a', true, 'drained by operator', true], wakes: [], lines: ['drain a: drained by operator'] },
    { name: 'undrain', server: 'running', want: 'ok', standby: ['a', false, 'undrained by operator', false], wakes: ['operator'], lines: ['undrain a: undrained by operator'] },
    { name: 'drain', server: 'unknown', want: 'not_found', ...refused },
    { name: 'drain', server: 'stopping', want: 'conflict', ...refused },
    { name: 'undrain', server: 'busy', want: 'conflict', ...refused },
  ])('$name of a $server server: $want', ({ name, server, want, standby, wakes, lines }) => {
    const h = harness(server);
    expect(code(h.operator[name]('a'))).toBe(want);
    // A refused command changes nothing and leaves no history line.
    if (standby) expect(h.executor.applyStandby).toHaveBeenCalledWith(...standby);
    else expect(h.executor.applyStandby).not.toHaveBeenCalled();
    expect(h.wakes).toEqual(wakes);
    expect(h.lines()).toEqual(lines);
  });

  it.each([
    { name: 'a running server', server: 'running' as Server, accepts: true, want: 'ok', wakes: ['operator'], lines: ['stop a: stopped by operator'] },
    { name: 'a server the executor will not stop', server: 'running' as Server, accepts: false, want: 'conflict', wakes: [], lines: [] },
    { name: 'an unknown server', server: 'unknown' as Server, accepts: true, want: 'not_found', wakes: [], lines: [] },
  ])('stopServer of $name: $want', ({ server, accepts, want, wakes, lines }) => {
    const h = harness(server, accepts);
    expect(code(h.operator.stopServer('a'))).toBe(want);
    expect(h.wakes).toEqual(wakes);
    expect(h.lines()).toEqual(lines);
  });

  it('pause and resume change the flag once each, resume wakes the loop, and both leave a history line', () => {
    const h = harness('running');
    h.operator.setPaused(true);
    h.operator.setPaused(true);
    expect(h.operator.paused()).toBe(true);
    h.operator.setPaused(false);
    expect(h.operator.paused()).toBe(false);
    expect(h.wakes).toEqual(['operator']);
    expect(h.lines()).toEqual(['resume null: scaling resumed by operator', 'pause null: scaling paused by operator']);
  });

  it.each([
    { requested: 3, applied: 3, wakes: ['schedule'] },
    { requested: 9, applied: 5, wakes: ['schedule'] },
    { requested: -2, applied: 0, wakes: ['schedule'] },
    { requested: 1, applied: 1, wakes: [] },
  ])('setMinServers($requested) applies $applied, clamped to [0, MAX_SERVERS]', ({ requested, applied, wakes }) => {
    const h = harness('running');
    expect(h.operator.setMinServers(requested, 'rule')).toBe(applied);
    expect(h.operator.minServers()).toBe(applied);
    expect(h.wakes).toEqual(wakes);
  });
});
