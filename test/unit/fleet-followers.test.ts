import { describe, expect, it } from 'vitest';
import { Fleet } from '../../src/manager/fleet.js';
import type { FleetEvent } from '../../src/manager/server-record.js';
import { makeBackendServer, makeHealthReport } from '../support/factories.js';

const newFleet = () => new Fleet({ failThreshold: 2, listingGraceMs: 0 });

describe('Fleet followers', () => {
  it.each([
    { name: 'a launch', change: (f: Fleet) => f.addLaunched([makeBackendServer({ id: 'b' })], 0), want: ['added'] },
    { name: 'a listing that drops a server', change: (f: Fleet) => f.applyObservation([], 100, true), want: ['removed'] },
    { name: 'a good first report', change: (f: Fleet) => f.applyReport('a', makeHealthReport(), 0, 10, 'poll'), want: ['active'] },
    { name: 'a failed poll of a pending server', change: (f: Fleet) => f.applyFailure('a', 'refused', 10), want: [] },
    {
      name: 'the failed poll that reaches FAIL_THRESHOLD',
      before: (f: Fleet) => void (f.applyReport('a', makeHealthReport(), 0, 10, 'poll'), f.applyFailure('a', 'refused', 20)),
      change: (f: Fleet) => f.applyFailure('a', 'refused', 30),
      want: ['unhealthy'],
    },
  ])('are told of $name: the events the caller gets back, once, after the records changed', ({ before, change, want }) => {
    const fleet = newFleet();
    fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true);
    before?.(fleet);
    const told: Array<{ follower: number; types: string[]; sizeThen: number }> = [];
    const follow = (follower: number) => (events: readonly FleetEvent[]) => told.push({ follower, types: events.map((e) => e.type), sizeThen: fleet.size() });
    fleet.onEvents(follow(1));
    fleet.onEvents(follow(2));
    const events = change(fleet);
    expect(events.map((e) => e.type)).toEqual(want);
    if (want.length === 0) return expect(told).toEqual([]);
    // In the order they subscribed, with the fleet already as the events say.
    expect(told).toEqual([
      { follower: 1, types: want, sizeThen: fleet.size() },
      { follower: 2, types: want, sizeThen: fleet.size() },
    ]);
  });

  it('hand out records that only the fleet changes: markStandby sets standby and the hold together', () => {
    const fleet = newFleet();
    fleet.applyObservation([makeBackendServer({ id: 'a' })], 0, true);
    fleet.markStandby('a', true, true);
    expect(fleet.get('a')).toMatchObject({ standby: true, held: true });
    fleet.markStandby('a', false, true);
    expect(fleet.get('a')).toMatchObject({ standby: false, held: false });
  });
});
