// Tournament pairings, failure classification and the arena's config: pure tables.
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/arena/classify.js';
import { ArenaConfigError, loadArenaConfig } from '../../src/arena/config.js';
import { planEliminationRound, planRoundRobin, seriesWinner, type Entrant } from '../../src/arena/scheduler.js';

const teams = (n: number): Entrant[] => Array.from({ length: n }, (_, i) => ({ id: String(i + 1), name: `t${i + 1}` }));

describe('planRoundRobin', () => {
  it('plays every pair best-of-N with seats alternating', () => {
    const games = planRoundRobin(teams(3), 3);
    expect(games).toHaveLength(9);
    const first = games.filter((g) => g.series === 0).map((g) => g.seats.map((s) => s.id).join('v'));
    expect(first).toEqual(['1v2', '2v1', '1v2']);
  });
  it.each([0, 2, -1])('refuses best-of %s', (n) => expect(() => planRoundRobin(teams(2), n)).toThrow(RangeError));
});

describe('planEliminationRound', () => {
  it('pairs everyone in round 1, with a bye for the odd one', () => {
    const plan = planEliminationRound(teams(3), [], 1, 1);
    expect(plan.kind).toBe('round');
    if (plan.kind === 'round') {
      expect(plan.games).toHaveLength(1);
      expect(plan.byes.map((b) => b.id)).toEqual(['3']);
    }
  });
  it('waits while a series is open and names the champion at the end', () => {
    expect(planEliminationRound(teams(2), [{ round: 1, series: 0, players: ['1', '2'], winner: null }], 1, 1)).toEqual({ kind: 'waiting', openSeries: 1 });
    expect(planEliminationRound(teams(2), [{ round: 1, series: 0, players: ['1', '2'], winner: '2' }], 1, 1)).toEqual({ kind: 'champion', champion: { id: '2', name: 't2' } });
  });
  it('with two lives a single loss does not eliminate', () => {
    const plan = planEliminationRound(teams(2), [{ round: 1, series: 0, players: ['1', '2'], winner: '2' }], 2, 1);
    expect(plan.kind).toBe('round');
  });
});

describe('seriesWinner', () => {
  it.each([
    { name: 'majority', winners: ['a', 'a', null], ended: false, want: 'a' },
    { name: 'undecided', winners: ['a', 'b', null], ended: false, want: null },
    { name: 'all ended without a majority: higher seed', winners: [null, null, null], ended: true, want: 'a' },
  ])('$name', ({ winners, ended, want }) => expect(seriesWinner(['a', 'b'], winners, 3, ended)).toBe(want));
});

describe('classifyFailure', () => {
  it.each([
    { kind: 'no_server', alive: null, want: 'requeue' },
    { kind: 'setup_refused', alive: true, want: 'requeue' },
    { kind: 'server_unreachable', alive: false, want: 'requeue' },
    { kind: 'client_crashed', alive: false, want: 'requeue' },
    { kind: 'client_crashed', alive: true, want: 'fail' },
    { kind: 'timeout', alive: false, want: 'fail' },
  ] as const)('$kind with the server alive=$alive → $want', ({ kind, alive, want }) => expect(classifyFailure(kind, alive)).toBe(want));
});

describe('loadArenaConfig', () => {
  it('fills defaults', () => {
    expect(loadArenaConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/db' })).toMatchObject({ ARENA_SCHEMA: 'arbiter', MATCH_TIMEOUT: 300, LEASE_SECONDS: 30, MAX_ATTEMPTS: 3 });
  });
  it.each(['DATABASE_URL', 'ARENA_SCHEMA', 'ARENA_PARALLEL', 'CONTAINER_RAM'])('names a bad %s', (name) => {
    const env: Record<string, string> = { DATABASE_URL: 'postgres://x@127.0.0.1/db', ARENA_SCHEMA: 'arbiter', ARENA_PARALLEL: '2', CONTAINER_RAM: '1g' };
    env[name] = 'nonsense';
    expect(() => loadArenaConfig(env)).toThrow(ArenaConfigError);
    expect(() => loadArenaConfig(env)).toThrow(new RegExp(name));
  });
});
