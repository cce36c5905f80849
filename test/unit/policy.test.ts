import { describe, expect, it } from 'vitest';
import { decideScale, freeCapacity, type Decision, type PolicyConfig, type PolicyServer } from '../../src/manager/policy.js';
import { makePolicyConfig, makePolicyServer, makeSnapshot } from '../support/factories.js';

const NOW = 1_000_000;
const UP = 'free capacity below upscale margin';
const DOWN = 'free capacity above downscale margin';

const active = (id: string, effectiveCapacity: number, more: Partial<PolicyServer> = {}) =>
  makePolicyServer({ id, state: 'active', effectiveCapacity, sessions: Math.max(0, 10 - effectiveCapacity), ...more });
const standby = (id: string, restorableCapacity: number, more: Partial<PolicyServer> = {}) =>
  makePolicyServer({ id, state: 'standby', effectiveCapacity: 0, restorableCapacity, ...more });
const pending = (id: string, more: Partial<PolicyServer> = {}) =>
  makePolicyServer({ id, state: 'pending', effectiveCapacity: 0, launchedAt: NOW - 1_000, ...more });

interface Row {
  name: string;
  servers: PolicyServer[];
  config?: Partial<PolicyConfig>;
  paused?: boolean;
  now?: number;
  want: Decision[];
}

const rows: Row[] = [
  // launch ⌈deficit / capacity⌉
  { name: 'empty fleet launches one server for a deficit of 4', servers: [], want: [{ kind: 'launch', count: 1, reason: UP, free: 0 }] },
  {
    name: 'a deficit of 23 launches three servers of 10',
    servers: [active('a', 2)],
    config: { upscaleMargin: 25, downscaleMargin: 40 },
    want: [{ kind: 'launch', count: 3, reason: UP, free: 2 }],
  },
  { name: 'a deficit of exactly one capacity launches one', servers: [], config: { upscaleMargin: 10, downscaleMargin: 25 }, want: [{ kind: 'launch', count: 1, reason: UP, free: 0 }] },
  { name: 'free exactly at the upscale margin does nothing', servers: [active('a', 4)], want: [] },
  { name: 'a pending server counts as full capacity', servers: [active('a', 0), pending('p')], want: [] },
  // standby first, most room first
  {
    name: 'the standby server with most room is activated instead of launching',
    servers: [active('a', 0), standby('b', 3), standby('c', 8)],
    want: [{ kind: 'activate', serverId: 'c', reason: UP, free: 8 }],
  },
  {
    name: 'standby servers are activated, then the rest is launched',
    servers: [active('a', 0), standby('b', 2), standby('c', 1)],
    want: [
      { kind: 'activate', serverId: 'b', reason: UP, free: 2 },
      { kind: 'activate', serverId: 'c', reason: UP, free: 3 },
      { kind: 'launch', count: 1, reason: UP, free: 3 },
    ],
  },
  {
    name: 'busy, failing or full standby servers are not activated',
    servers: [active('a', 0), standby('b', 8, { busy: true }), standby('c', 8, { healthy: false }), standby('d', 0)],
    want: [{ kind: 'launch', count: 1, reason: UP, free: 0 }],
  },
  // scale in through standby
  {
    name: 'the emptiest active server goes to standby',
    servers: [active('a', 5), active('b', 10), active('c', 8)],
    want: [{ kind: 'standby', serverId: 'b', reason: DOWN, free: 13 }],
  },
  {
    name: 'standby repeats while free stays above the downscale margin',
    servers: [1, 2, 3, 4].map((n) => active(`s${n}`, 10, { launchedAt: n })),
    want: [
      { kind: 'standby', serverId: 's4', reason: DOWN, free: 30 },
      { kind: 'standby', serverId: 's3', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 's2', reason: DOWN, free: 10 },
    ],
  },
  {
    name: 'reservations count as sessions when choosing the emptiest',
    servers: [active('a', 10, { reservations: 2 }), active('b', 10), active('c', 10, { reservations: 1 })],
    want: [
      { kind: 'standby', serverId: 'b', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 'c', reason: DOWN, free: 10 },
    ],
  },
  { name: 'no standby at MIN_SERVERS active servers', servers: [active('a', 10), active('b', 10)], config: { minServers: 2 }, want: [] },
  {
    name: 'standby stops at MIN_SERVERS',
    servers: [active('a', 10, { launchedAt: 1 }), active('b', 10, { launchedAt: 2 }), active('c', 10, { launchedAt: 3 })],
    config: { minServers: 2 },
    want: [{ kind: 'standby', serverId: 'c', reason: DOWN, free: 20 }],
  },
  { name: 'never stands a server down below the upscale margin', servers: [active('a', 19)], want: [] },
  { name: 'free exactly at the downscale margin does nothing', servers: [active('a', 10), active('b', 8)], want: [] },
  // stopping standby servers
  {
    name: 'an empty standby server that is ready to close is stopped',
    servers: [active('a', 10), standby('b', 10, { readyToClose: true })],
    want: [{ kind: 'stop', serverId: 'b', reason: 'standby and ready to close' }],
  },
  { name: 'a standby server with sessions is not stopped', servers: [active('a', 10), standby('b', 9, { readyToClose: true, sessions: 1 })], want: [] },
  { name: 'a standby server with reservations is not stopped', servers: [active('a', 10), standby('b', 10, { readyToClose: true, reservations: 1 })], want: [] },
  { name: 'a standby server not ready to close is not stopped', servers: [active('a', 10), standby('b', 10)], want: [] },
  { name: 'a busy standby server is not stopped', servers: [active('a', 10), standby('b', 10, { readyToClose: true, busy: true })], want: [] },
  { name: 'an active server that is ready to close is not stopped', servers: [active('a', 10), active('b', 5, { readyToClose: true })], want: [] },
  // unhealthy and start timeout
  {
    name: 'an unhealthy server is stopped and replaced in the same decisions',
    servers: [makePolicyServer({ id: 'u', state: 'unhealthy', effectiveCapacity: 0, sessions: 6, healthy: false, problem: 'connection refused' })],
    want: [
      { kind: 'stop', serverId: 'u', reason: 'unhealthy: connection refused' },
      { kind: 'launch', count: 1, reason: UP, free: 0 },
    ],
  },
  {
    name: 'a busy unhealthy server is left to its action in flight',
    servers: [active('a', 10), makePolicyServer({ id: 'u', state: 'unhealthy', effectiveCapacity: 0, healthy: false, busy: true })],
    want: [],
  },
  {
    name: 'a pending server past START_TIMEOUT is stopped and replaced',
    servers: [pending('p', { launchedAt: NOW - 180_001 })],
    want: [
      { kind: 'stop', serverId: 'p', reason: 'start timeout: not healthy after 180000 ms' },
      { kind: 'launch', count: 1, reason: UP, free: 0 },
    ],
  },
  { name: 'a pending server at exactly START_TIMEOUT still has time', servers: [pending('p', { launchedAt: NOW - 180_000 })], want: [] },
  { name: 'servers already stopping count for nothing', servers: [makePolicyServer({ id: 'x', state: 'stopping', effectiveCapacity: 10 })], want: [{ kind: 'launch', count: 1, reason: UP, free: 0 }] },
  // MIN_SERVERS, MAX_SERVERS, launch cap
  {
    name: 'MIN_SERVERS launches up to the minimum',
    servers: [active('a', 10)],
    config: { minServers: 3 },
    want: [{ kind: 'launch', count: 2, reason: 'fewer servers than MIN_SERVERS', free: 10 }],
  },
  {
    name: 'standby servers count towards MIN_SERVERS',
    servers: [active('a', 10), standby('b', 10)],
    config: { minServers: 2 },
    want: [],
  },
  {
    name: 'MAX_SERVERS clamps a launch and says so',
    servers: [active('a', 0)],
    config: { upscaleMargin: 30, downscaleMargin: 45, maxServers: 3 },
    want: [{ kind: 'launch', count: 2, reason: UP, free: 0, clampedBy: 'max_servers' }],
  },
  {
    name: 'a full fleet at MAX_SERVERS reports a clamped launch of 0',
    servers: [active('a', 0), active('b', 0)],
    config: { maxServers: 2 },
    want: [{ kind: 'launch', count: 0, reason: UP, free: 0, clampedBy: 'max_servers' }],
  },
  {
    name: 'the per-tick launch cap clamps a launch and says so',
    servers: [],
    config: { upscaleMargin: 50, downscaleMargin: 70, maxLaunchPerTick: 2 },
    want: [{ kind: 'launch', count: 2, reason: UP, free: 0, clampedBy: 'launch_cap' }],
  },
  // busy and paused
  {
    name: 'a busy active server is not stood down',
    servers: [active('a', 10, { busy: true }), active('b', 10), active('c', 10)],
    want: [
      { kind: 'standby', serverId: 'b', reason: DOWN, free: 20 },
      { kind: 'standby', serverId: 'c', reason: DOWN, free: 10 },
    ],
  },
  { name: 'paused: an empty fleet is not grown', servers: [], paused: true, want: [] },
  { name: 'paused: too much room is kept', servers: [active('a', 10), active('b', 10), active('c', 10)], paused: true, want: [] },
  {
    name: 'paused: an unhealthy server is still stopped and replaced',
    servers: [active('a', 10), makePolicyServer({ id: 'u', state: 'unhealthy', effectiveCapacity: 0, healthy: false, problem: '3 failed polls' })],
    paused: true,
    want: [
      { kind: 'stop', serverId: 'u', reason: 'unhealthy: 3 failed polls' },
      { kind: 'launch', count: 1, reason: 'replacing stopped servers while paused', free: 10 },
    ],
  },
];

describe('decideScale', () => {
  it.each(rows)('$name', ({ servers, config, paused, now, want }) => {
    const snapshot = makeSnapshot({ servers, paused: paused ?? false });
    expect(decideScale(snapshot, makePolicyConfig(config), now ?? NOW)).toEqual(want);
  });

  it('does not change its input', () => {
    const snapshot = makeSnapshot({ servers: [active('a', 10), active('b', 10), active('c', 10), standby('d', 10, { readyToClose: true })] });
    const copy = structuredClone(snapshot);
    decideScale(snapshot, makePolicyConfig(), NOW);
    expect(snapshot).toEqual(copy);
  });
});

describe('freeCapacity', () => {
  it.each([
    { name: 'empty', servers: [], want: 0 },
    { name: 'active effective capacity', servers: [active('a', 3), active('b', 7)], want: 10 },
    { name: 'pending as full servers', servers: [pending('p'), pending('q')], want: 20 },
    { name: 'standby, unhealthy and stopping count nothing', servers: [standby('s', 10), makePolicyServer({ id: 'u', state: 'unhealthy' }), makePolicyServer({ id: 'x', state: 'stopping' })], want: 0 },
  ])('$name', ({ servers, want }) => {
    expect(freeCapacity(servers, 10)).toBe(want);
  });
});

describe('operator holds', () => {
  it('never returns a standby server an operator drained, and launches instead', () => {
    const servers = [
      makePolicyServer({ id: 'held', state: 'standby', held: true, restorableCapacity: 10, healthy: true }),
      makePolicyServer({ id: 'a', state: 'active', effectiveCapacity: 0 }),
    ];
    const decisions = decideScale(makeSnapshot({ servers }), makePolicyConfig({ minServers: 0, maxServers: 10 }), 0);
    expect(decisions.some((d) => d.kind === 'activate')).toBe(false);
    expect(decisions).toContainEqual(expect.objectContaining({ kind: 'launch', count: 1 }));
  });
});
