import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { judgeSession, type CerveauStatus } from '../../src/sidecar/session-judge.js';

const limits = { sessionDeadlineMs: 10_000, crashGraceMs: 1_000, joinDeadlineMs: 3_000 };
const player = { spectating: false, disconnected: false };
const status = (s: CerveauStatus['status'], clients: CerveauStatus['clients'] = []): CerveauStatus => ({ status: s, clients });

describe('judgeSession', () => {
  it.each([
    { name: 'over ends at once', st: status('over'), now: 1, since: null, want: { ended: true, reason: 'over' } },
    { name: 'running with players lives', st: status('running', [player, player]), now: 5_000, since: 4_000, want: { ended: false, noPlayersSince: null } },
    { name: 'running with no clients starts the grace', st: status('running'), now: 5_000, since: null, want: { ended: false, noPlayersSince: 5_000 } },
    { name: 'running with no clients inside the grace', st: status('running'), now: 5_999, since: 5_000, want: { ended: false, noPlayersSince: 5_000 } },
    { name: 'running with no clients past the grace is a crash', st: status('running'), now: 6_000, since: 5_000, want: { ended: true, reason: 'crashed' } },
    { name: 'only disconnected or spectating clients count as none', st: status('running', [{ disconnected: true }, { spectating: true }]), now: 6_000, since: 5_000, want: { ended: true, reason: 'crashed' } },
    { name: 'empty inside the join deadline', st: status('empty'), now: 2_999, since: null, want: { ended: false, noPlayersSince: null } },
    { name: 'open past the join deadline', st: status('open', [player]), now: 3_000, since: null, want: { ended: true, reason: 'join_timeout' } },
    { name: 'open with every player disconnected before the start is abandoned', st: status('open', [{ disconnected: true }]), now: 100, since: null, want: { ended: true, reason: 'abandoned' } },
    { name: 'open with one of two still connected lives', st: status('open', [{ disconnected: true }, player]), now: 100, since: null, want: { ended: false, noPlayersSince: null } },
    { name: 'open with only a spectator lives', st: status('open', [{ spectating: true }]), now: 100, since: null, want: { ended: false, noPlayersSince: null } },
    { name: 'running past the session deadline', st: status('running', [player, player]), now: 10_000, since: null, want: { ended: true, reason: 'deadline' } },
    { name: 'failed poll keeps the session', st: undefined, now: 9_999, since: 100, want: { ended: false, noPlayersSince: 100 } },
    { name: 'failed poll past the deadline ends it', st: undefined, now: 10_000, since: null, want: { ended: true, reason: 'deadline' } },
  ])('$name', ({ st, now, since, want }) => {
    expect(judgeSession({ startedAt: 0, noPlayersSince: since }, st, now, limits)).toEqual(want);
  });

  it.each([
    { name: 'empty after players were seen: Cerveau deleted the room they left', sawPlayers: true, want: { ended: true, reason: 'abandoned' } },
    { name: 'empty before anyone came is still waiting', sawPlayers: false, want: { ended: false, noPlayersSince: null } },
  ])('$name', ({ sawPlayers, want }) => {
    expect(judgeSession({ startedAt: 0, noPlayersSince: null, sawPlayers }, status('empty'), 100, limits)).toEqual(want);
  });

  it('never lets a session outlive its deadline, whatever Cerveau says', () => {
    const arbStatus = fc.option(
      fc.record({
        status: fc.constantFrom('empty', 'open', 'running') as fc.Arbitrary<CerveauStatus['status']>,
        clients: fc.array(fc.record({ spectating: fc.boolean(), disconnected: fc.boolean() }), { maxLength: 3 }),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(arbStatus, fc.integer({ min: 10_000, max: 1e9 }), (st, now) => {
        expect(judgeSession({ startedAt: 0, noPlayersSince: null }, st, now, limits).ended).toBe(true);
      }),
    );
  });
});
