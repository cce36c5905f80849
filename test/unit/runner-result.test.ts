import { describe, expect, it } from 'vitest';
import { buildMatchResult, gamelogOutcomeOf, type MatchObservation } from '../../src/runner/match-result.js';
import { resultsSettled } from '../../src/runner/run-match.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

function makeObservation(overrides: Partial<MatchObservation> = {}): MatchObservation {
  return {
    game: 'Chess',
    session: 'arena_1_x',
    allocation: { address: '10.0.0.1:3000', host: '10.0.0.1', ports: { game: 3000, web: 3090 }, serverId: 's-1', name: 'gs-1', backup: false },
    failure: null,
    outcome: 'exited',
    timeoutMs: 300_000,
    clients: [
      { name: 'alice', index: 0, logFile: '/o/client-0-alice.log', exit: { code: 0, signal: null }, killed: false },
      { name: 'bob', index: 1, logFile: '/o/client-1-bob.log', exit: { code: 0, signal: null }, killed: false },
    ],
    status: {
      status: 'over',
      gamelogFilename: 'log-1',
      clients: [
        { name: 'alice', index: 0, won: false, lost: true, reason: 'Checkmated' },
        { name: 'bob', index: 1, won: true, lost: false, reason: 'Checkmate' },
      ],
    },
    gamelogFile: '/o/gamelog.json.gz',
    gamelogProblem: null,
    resultFile: '/o/result.json',
    times: { allocatedAt: T0 + 10, setupAt: T0 + 20, startedAt: T0 + 30, endedAt: T0 + 5_000, begunAt: T0 },
    ...overrides,
  };
}

describe('buildMatchResult', () => {
  it('reports a completed match with winner, losers and timings', () => {
    const result = buildMatchResult(makeObservation());
    expect(result).toMatchObject({
      status: 'completed',
      failure: null,
      winner: 'bob',
      losers: ['alice'],
      server: { id: 's-1', host: '10.0.0.1', ports: { game: 3000, web: 3090 } },
      files: { gamelog: '/o/gamelog.json.gz', result: '/o/result.json' },
      timings: { allocatedAt: '2026-11-23T12:00:00.010Z', durationMs: 5_000 },
    });
    expect(result.clients[1]).toMatchObject({ name: 'bob', won: true, reason: 'Checkmate', exitCode: 0, logFile: '/o/client-1-bob.log' });
  });

  const crashed = makeObservation().clients.map((c, i) => (i === 0 ? { ...c, exit: { code: 3, signal: null } } : { ...c, killed: true, exit: { code: null, signal: 'SIGTERM' } }));
  it.each([
    { name: 'no server', o: { allocation: null, outcome: null, clients: [], status: null, gamelogFile: null, failure: { kind: 'no_server' as const, reason: 'full' } }, want: 'no_server' },
    { name: 'setup refused', o: { outcome: null, clients: [], status: null, gamelogFile: null, failure: { kind: 'setup_refused' as const, reason: 'setup refused (503)' } }, want: 'setup_refused' },
    { name: 'timeout even with a gamelog', o: { outcome: 'timeout' as const }, want: 'timeout' },
    { name: 'a client crashed', o: { clients: crashed }, want: 'client_crashed' },
    { name: 'killed clients are not crashes', o: { clients: crashed.map((c) => ({ ...c, killed: true })) }, want: null },
    { name: 'no gamelog', o: { gamelogFile: null, gamelogProblem: 'the game was still running after 5 tries' }, want: 'no_gamelog' },
    { name: 'interrupted', o: { outcome: 'interrupted' as const }, want: 'interrupted' },
  ])('classifies: $name', ({ o, want }) => {
    const result = buildMatchResult(makeObservation(o));
    expect(result.failure).toBe(want);
    expect(result.status).toBe(want === null ? 'completed' : 'failed');
    expect(result.reason.length).toBeGreaterThan(0);
  });

  // Real Cerveau numbers /status clients in the order they connected, and shows the names the clients gave.
  const anonymous = {
    status: 'over' as const,
    gamelogFilename: 'Chess-arena_1_x',
    clients: [
      { name: 'Chess Python Player', index: 0, won: true, lost: false, reason: 'won' },
      { name: 'Chess Python Player', index: 1, won: false, lost: true, reason: 'lost' },
    ],
  };

  const draw = 'Draw - Insufficient material (K vs. K, K vs. KB, or K vs. KN) for checkmate.';
  const player = (name: string, won: boolean, lost: boolean, reason: string) => ({ name, index: 0, won, lost, reason });
  it.each([
    { name: 'a checkmate is a win', clients: [player('alice', false, true, 'Checkmated'), player('bob', true, false, 'Checkmate!')], log: null, want: 'win', winner: 'bob', losers: ['alice'] },
    { name: 'everyone lost: a draw', clients: [player('alice', false, true, draw), player('bob', false, true, draw)], log: null, want: 'draw', winner: null, losers: [] },
    { name: 'a coin flip after a tie has a winner', clients: [player('alice', true, false, 'Max turns reached (200), Identical AIs played the game - Won via coin flip.'), player('bob', false, true, 'Max turns reached (200), Identical AIs played the game - Lost via coin flip.')], log: null, want: 'win', winner: 'alice', losers: ['bob'] },
    { name: 'unnamed players, a draw in the gamelog', clients: [player('Chess Python Player', false, true, draw), player('Chess Python Player', false, true, draw)], log: { winners: [], losers: [{ name: 'alice', reason: draw }, { name: 'bob', reason: draw }] }, want: 'draw', winner: null, losers: [] },
    { name: 'only the gamelog, with a winner', clients: [], log: { winners: [{ name: 'bob', reason: 'Checkmate!' }], losers: [{ name: 'alice', reason: 'Checkmated' }] }, want: 'win', winner: 'bob', losers: ['alice'] },
  ])('outcome: $name', ({ clients, log, want, winner, losers }) => {
    const o = makeObservation({ status: { status: 'over', gamelogFilename: 'log-1', clients }, gamelogOutcome: log });
    o.clients = o.clients.map((c) => ({ ...c, asksSeat: true }));
    expect(buildMatchResult(o)).toMatchObject({ status: 'completed', outcome: want, winner, losers });
  });

  it.each([
    { name: 'a timeout', o: { outcome: 'timeout' as const } },
    { name: 'no gamelog', o: { gamelogFile: null } },
    { name: 'a lost gameserver', o: { failure: { kind: 'gameserver_lost' as const, reason: 'gone' } } },
  ])('outcome none with $name, whatever /status says', ({ o }) => {
    expect(buildMatchResult(makeObservation(o))).toMatchObject({ status: 'failed', outcome: 'none' });
  });

  it('never matches /status clients by index: without names it takes the gamelog, by the setup playerNames', () => {
    const gamelogOutcome = { winners: [{ name: 'alice', reason: 'Checkmate' }], losers: [{ name: 'bob', reason: 'Checkmated' }] };
    const result = buildMatchResult(makeObservation({ status: anonymous, gamelogOutcome }));
    expect(result).toMatchObject({ winner: 'alice', losers: ['bob'] });
    expect(result.clients[0]).toMatchObject({ name: 'alice', won: true, lost: false, reason: 'Checkmate' });
  });

  it('does not trust the gamelog for a client that did not ask for its seat ({index})', () => {
    const gamelogOutcome = { winners: [{ name: 'alice', reason: 'Checkmate' }], losers: [{ name: 'bob', reason: 'Checkmated' }] };
    const clients = makeObservation().clients.map((c) => ({ ...c, asksSeat: false }));
    const result = buildMatchResult(makeObservation({ status: anonymous, gamelogOutcome, clients }));
    expect(result).toMatchObject({ winner: null, losers: [] });
  });

  it('names no winner when neither /status nor the gamelog identifies the clients', () => {
    const result = buildMatchResult(makeObservation({ status: anonymous, gamelogOutcome: null }));
    expect(result).toMatchObject({ status: 'completed', winner: null, losers: [] });
    expect(result.clients.map((c) => c.won)).toEqual([null, null]);
  });

  it('prefers /status by name, which follows the processes, over the gamelog', () => {
    const gamelogOutcome = { winners: [{ name: 'alice', reason: 'seat 0' }], losers: [{ name: 'bob', reason: 'seat 1' }] };
    expect(buildMatchResult(makeObservation({ gamelogOutcome })).winner).toBe('bob');
  });

  it.each(['timeout', 'interrupted'] as const)('names no winner after a %s: the runner ended the game, not the players', (outcome) => {
    const result = buildMatchResult(makeObservation({ outcome }));
    expect(result).toMatchObject({ failure: outcome, winner: null, losers: [] });
    expect(result.clients[1]).toMatchObject({ won: null, lost: null, reason: 'Checkmate' });
  });

  it('reads winners and losers from a Cerveau gamelog, and nothing from anything else', () => {
    expect(gamelogOutcomeOf({ winners: [{ index: 1, name: 'bob', reason: 'Checkmate' }], losers: [{ index: 0, name: 'alice' }, { index: 2 }] })).toEqual({
      winners: [{ name: 'bob', reason: 'Checkmate' }],
      losers: [{ name: 'alice', reason: null }],
    });
    for (const junk of [null, 'text', {}, { winners: 'bob', losers: [] }]) expect(gamelogOutcomeOf(junk)).toBeNull();
  });

  it('waits for the players of an over status to have their results', () => {
    expect(resultsSettled(anonymous)).toBe(true);
    expect(resultsSettled({ ...anonymous, clients: [{ name: 'a' }, { name: 'b', won: false, lost: true }] })).toBe(false);
    expect(resultsSettled({ ...anonymous, clients: [{ name: 'viewer', spectating: true }] })).toBe(true);
  });

  it('names the crashed client and its exit', () => {
    expect(buildMatchResult(makeObservation({ clients: crashed })).reason).toBe('client alice (index 0) exited with code 3');
  });
});
