import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/manager/fleet.js';
import { isInRotation, sessionsOf, stateOf, type ServerRecord } from '../../src/manager/server-record.js';
import { makeBackendServer, makeHealthReport } from '../support/factories.js';

const GRACE = 60_000;
const newFleet = () => new Fleet({ failThreshold: 3, listingGraceMs: GRACE });

/** A fleet holding one server that has answered a poll, so it is active. */
function activeFleet() {
  const fleet = newFleet();
  fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true);
  fleet.applyReport('a', makeHealthReport(), 0, 10, 'poll');
  return fleet;
}

const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe('Fleet', () => {
  it('a discovered server is pending until its first good report, then active and in rotation', () => {
    const fleet = newFleet();
    expect(types(fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true))).toEqual(['added']);
    expect(stateOf(fleet.get('a')!)).toBe('pending');
    expect(fleet.inRotation()).toEqual([]);
    expect(types(fleet.applyReport('a', makeHealthReport(), 0, 10, 'poll'))).toEqual(['active']);
    expect(stateOf(fleet.get('a')!)).toBe('active');
    expect(fleet.inRotation().map((r) => r.id)).toEqual(['a']);
    expect(fleet.applyReport('a', makeHealthReport(), 20, 30, 'poll')).toEqual([]);
  });

  it('keeps the newest report field for field in the record\'s own object, and an older one changes nothing', () => {
    const fleet = activeFleet();
    const full = { availableCapacity: 3, readyToClose: true, maxCapacity: 8, activeSessions: 5, draining: true };
    fleet.applyReport('a', full, 20, 30, 'poll');
    const held = fleet.get('a')!.report!;
    expect(held).not.toBe(full);
    expect({ ...held }).toEqual(full);
    full.availableCapacity = 0; // the caller's object is not the fleet's
    expect(fleet.get('a')!.report!.availableCapacity).toBe(3);
    fleet.applyReport('a', { availableCapacity: 7, readyToClose: false }, 40, 50, 'heartbeat');
    expect(fleet.get('a')!.report).toBe(held);
    expect({ ...held }).toStrictEqual({ availableCapacity: 7, readyToClose: false, maxCapacity: undefined, activeSessions: undefined, draining: undefined });
    expect(sessionsOf(fleet.get('a')!, 10)).toBe(3);
    fleet.applyReport('a', { availableCapacity: 1, readyToClose: true, activeSessions: 9 }, 35, 60, 'poll');
    expect(fleet.get('a')!.report!.availableCapacity).toBe(7);
    expect(fleet.get('a')!.reportSentAt).toBe(40);
  });

  it('a server found with the standby mark comes back on standby, out of rotation', () => {
    const fleet = newFleet();
    fleet.applyObservation([makeBackendServer({ id: 'a', standby: true })], 0, true);
    fleet.applyReport('a', makeHealthReport(), 0, 10, 'poll');
    expect(stateOf(fleet.get('a')!)).toBe('standby');
    expect(fleet.inRotation()).toEqual([]);
  });

  it('a launched server is added once, as pending', () => {
    const fleet = newFleet();
    const s = makeBackendServer({ id: 'a', status: 'starting' });
    expect(fleet.addLaunched([s], 0)).toMatchObject([{ type: 'added', source: 'launch' }]);
    expect(fleet.addLaunched([s], 0)).toEqual([]);
    expect(fleet.applyObservation([s], 5, true)).toEqual([]);
    expect(fleet.size()).toBe(1);
  });

  it('a failed poll takes the server out of rotation at once; a good one puts it back', () => {
    const fleet = activeFleet();
    const events = fleet.applyFailure('a', 'health poll timed out', 20);
    expect(events).toMatchObject([{ type: 'out_of_rotation', reason: 'health poll timed out' }]);
    expect(fleet.inRotation()).toEqual([]);
    expect(fleet.get('a')).toMatchObject({ failures: 1, lastError: 'health poll timed out', lastPollAt: 20 });
    fleet.applyReport('a', makeHealthReport(), 30, 40, 'poll');
    expect(fleet.inRotation().map((r) => r.id)).toEqual(['a']);
    expect(fleet.get('a')).toMatchObject({ failures: 0, lastError: null });
  });

  it('FAIL_THRESHOLD failed polls in a row make the server unhealthy, once', () => {
    const fleet = activeFleet();
    expect(types(fleet.applyFailure('a', 'x', 1))).toEqual(['out_of_rotation']);
    expect(types(fleet.applyFailure('a', 'x', 2))).toEqual([]);
    expect(fleet.applyFailure('a', 'refused', 3)).toMatchObject([{ type: 'unhealthy', reason: '3 failed polls: refused' }]);
    expect(stateOf(fleet.get('a')!)).toBe('unhealthy');
    expect(fleet.applyFailure('a', 'x', 4)).toEqual([]);
  });

  it('failures that are not in a row do not add up', () => {
    const fleet = activeFleet();
    fleet.applyFailure('a', 'x', 1);
    fleet.applyFailure('a', 'x', 2);
    fleet.applyReport('a', makeHealthReport(), 3, 3, 'poll');
    fleet.applyFailure('a', 'x', 4);
    fleet.applyFailure('a', 'x', 5);
    expect(stateOf(fleet.get('a')!)).toBe('active');
  });

  it('a pending server that does not answer is left to START_TIMEOUT, not struck', () => {
    const fleet = newFleet();
    fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true);
    for (let i = 0; i < 5; i++) expect(fleet.applyFailure('a', 'refused', i)).toEqual([]);
    expect(fleet.get('a')).toMatchObject({ lifecycle: 'pending', failures: 0, lastError: 'refused' });
  });

  it('a server the backend reports stopped is removed, with the backend reason', () => {
    const fleet = activeFleet();
    const events = fleet.applyObservation([makeBackendServer({ id: 'a', status: 'stopped', stoppedReason: 'Essential container exited' })], 50, false);
    expect(events).toMatchObject([{ type: 'removed', reason: 'Essential container exited' }]);
    expect(fleet.get('a')).toBeUndefined();
    expect(fleet.applyObservation([makeBackendServer({ id: 'a', status: 'stopped' })], 60, true)).toEqual([]);
  });

  it('a server the backend is stopping leaves rotation', () => {
    const fleet = activeFleet();
    fleet.applyObservation([makeBackendServer({ id: 'a', status: 'stopping' })], 50, true);
    expect(stateOf(fleet.get('a')!)).toBe('stopping');
    expect(fleet.get('a')!.stopReason).toBe('stopped by the backend');
    expect(fleet.applyReport('a', makeHealthReport(), 60, 60, 'poll')).toEqual([]);
  });

  it.each([
    { name: 'a complete listing without it, after the grace, removes it', complete: true, now: GRACE, want: ['removed'] },
    { name: 'a complete listing without it, inside the grace, keeps it', complete: true, now: GRACE - 1, want: [] },
    { name: 'a partial listing without it keeps it', complete: false, now: 10 * GRACE, want: [] },
  ])('$name', ({ complete, now, want }) => {
    const fleet = newFleet();
    fleet.addLaunched([makeBackendServer({ id: 'a' })], 0);
    fleet.applyObservation([makeBackendServer({ id: 'b' })], 0, true);
    expect(types(fleet.applyObservation([makeBackendServer({ id: 'b' })], now, complete))).toEqual(want);
    expect(fleet.get('b')).toBeDefined();
  });

  it('an observation updates the address a launch did not know yet', () => {
    const fleet = newFleet();
    fleet.addLaunched([makeBackendServer({ id: 'a', host: null, ports: null })], 0);
    fleet.applyReport('a', makeHealthReport(), 0, 0, 'poll');
    expect(fleet.inRotation()).toEqual([]);
    fleet.applyObservation([makeBackendServer({ id: 'a', host: '10.1.2.3' })], 5, true);
    expect(fleet.inRotation().map((r) => r.host)).toEqual(['10.1.2.3']);
  });

  it.each([
    { name: 'a heartbeat fresher than the failed poll clears the strikes', sentAt: 30, wantFailures: 0, inRotation: true },
    { name: 'a heartbeat no fresher than the failed poll keeps them', sentAt: 20, wantFailures: 1, inRotation: false },
  ])('$name', ({ sentAt, wantFailures, inRotation }) => {
    const fleet = activeFleet();
    fleet.applyFailure('a', 'x', 20);
    fleet.applyReport('a', makeHealthReport({ availableCapacity: 4 }), sentAt, 30, 'heartbeat');
    expect(fleet.get('a')).toMatchObject({ failures: wantFailures, reportSource: 'heartbeat', report: { availableCapacity: 4 } });
    expect(isInRotation(fleet.get('a')!)).toBe(inRotation);
  });
});

describe('sessionsOf', () => {
  const record = (report: ServerRecord['report']) => ({ report }) as ServerRecord;
  it.each([
    { name: 'no report', report: null, want: 0 },
    { name: 'reported sessions win', report: makeHealthReport({ availableCapacity: 10, activeSessions: 3 }), want: 3 },
    { name: 'inferred from max capacity', report: makeHealthReport({ availableCapacity: 2, maxCapacity: 5 }), want: 3 },
    { name: 'inferred from the default capacity', report: makeHealthReport({ availableCapacity: 4 }), want: 6 },
    { name: 'draining and ready to close', report: makeHealthReport({ availableCapacity: 0, draining: true, readyToClose: true }), want: 0 },
    { name: 'draining, not ready: at least one', report: makeHealthReport({ availableCapacity: 0, draining: true }), want: 1 },
    { name: 'more room than the default capacity', report: makeHealthReport({ availableCapacity: 15 }), want: 0 },
  ])('$name', ({ report, want }) => {
    expect(sessionsOf(record(report), 10)).toBe(want);
  });
});
