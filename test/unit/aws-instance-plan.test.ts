// The EC2 launch-template plan, as a table: which instances get their task, which are terminated and why,
// what the idle record and the terminated set become; and properties of any observation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  planInstances,
  planLaunch,
  type InstanceObservation,
  type InstancePlan,
  type InstancePlanOptions,
  type LaunchObservation,
} from '../../src/aws/instance-plan.js';

const NOW = 1_000_000;
const OPTIONS: InstancePlanOptions = { joinDeadlineMs: 60_000, idleGraceMs: 300_000 };

function observation(overrides: Partial<InstanceObservation> = {}): InstanceObservation {
  return {
    tasks: [],
    fleetInstances: [],
    registered: null,
    launching: new Map(),
    idleSince: new Map(),
    terminated: new Set(),
    now: NOW,
    ...overrides,
  };
}

interface Row {
  name: string;
  input: Partial<InstanceObservation>;
  want: Partial<{ place: string[]; terminate: InstancePlan['terminate']; idleSince: [string, number][]; terminated: string[] }>;
}

const rows: Row[] = [
  { name: 'nothing to look at', input: {}, want: { place: [], terminate: [], idleSince: [], terminated: [] } },
  {
    name: 'an instance with a live task of ours is left alone',
    input: { fleetInstances: ['i-1'], tasks: [{ instanceId: 'i-1', live: true }] },
    want: { place: [], terminate: [], idleSince: [] },
  },
  {
    name: 'a launching instance that joined gets its task',
    input: { launching: new Map([['i-1', NOW - 10_000]]), registered: new Set(['i-1']), fleetInstances: ['i-1'] },
    want: { place: ['i-1'], terminate: [], idleSince: [] },
  },
  {
    name: 'a launching instance that has not joined waits within the deadline',
    input: { launching: new Map([['i-1', NOW - 60_000]]), registered: new Set(), fleetInstances: ['i-1'] },
    want: { place: [], terminate: [], idleSince: [] },
  },
  {
    name: 'a launching instance past the join deadline is given up',
    input: { launching: new Map([['i-1', NOW - 60_001]]), registered: new Set(), fleetInstances: ['i-1'] },
    want: { place: [], terminate: [{ instanceId: 'i-1', reason: 'join_deadline' }] },
  },
  {
    name: 'nobody looked at the cluster: a launching instance is not placed',
    input: { launching: new Map([['i-1', NOW]]), registered: null },
    want: { place: [], terminate: [] },
  },
  {
    name: 'a launching instance that joined late is still placed rather than given up',
    input: { launching: new Map([['i-1', NOW - 120_000]]), registered: new Set(['i-1']) },
    want: { place: ['i-1'], terminate: [] },
  },
  {
    name: 'our task on it stopped: terminated at once',
    input: { fleetInstances: ['i-1'], tasks: [{ instanceId: 'i-1', live: false }] },
    want: { terminate: [{ instanceId: 'i-1', reason: 'task_stopped' }], idleSince: [] },
  },
  {
    name: 'a stopped task and a live one on the same instance: the live one keeps it',
    input: { fleetInstances: ['i-1'], tasks: [{ instanceId: 'i-1', live: false }, { instanceId: 'i-1', live: true }] },
    want: { terminate: [] },
  },
  {
    name: 'an instance of the fleet with no task of ours is idle from now',
    input: { fleetInstances: ['i-1'] },
    want: { terminate: [], idleSince: [['i-1', NOW]] },
  },
  {
    name: 'idle within the grace: kept, idle since the first time',
    input: { fleetInstances: ['i-1'], idleSince: new Map([['i-1', NOW - 299_999]]) },
    want: { terminate: [], idleSince: [['i-1', NOW - 299_999]] },
  },
  {
    name: 'idle for the whole grace: terminated',
    input: { fleetInstances: ['i-1'], idleSince: new Map([['i-1', NOW - 300_000]]) },
    want: { terminate: [{ instanceId: 'i-1', reason: 'idle' }], idleSince: [['i-1', NOW - 300_000]] },
  },
  {
    name: 'an instance that holds a task again is no longer idle',
    input: { fleetInstances: ['i-1'], idleSince: new Map([['i-1', NOW - 300_000]]), tasks: [{ instanceId: 'i-1', live: true }] },
    want: { terminate: [], idleSince: [] },
  },
  {
    name: 'an idle instance EC2 no longer lists is forgotten',
    input: { fleetInstances: [], idleSince: new Map([['i-1', NOW - 10]]) },
    want: { terminate: [], idleSince: [] },
  },
  {
    name: 'a launching instance is not idle',
    input: { fleetInstances: ['i-1'], launching: new Map([['i-1', NOW]]), registered: new Set() },
    want: { terminate: [], idleSince: [] },
  },
  {
    name: 'a terminated instance EC2 still lists is not terminated again, and stays remembered',
    input: { fleetInstances: ['i-1'], tasks: [{ instanceId: 'i-1', live: false }], terminated: new Set(['i-1']) },
    want: { terminate: [], terminated: ['i-1'] },
  },
  {
    name: 'a terminated instance EC2 no longer lists is forgotten',
    input: { fleetInstances: ['i-2'], tasks: [{ instanceId: 'i-2', live: true }], terminated: new Set(['i-1']) },
    want: { terminate: [], terminated: [] },
  },
  {
    name: 'a task whose instance is unknown counts for no instance',
    input: { fleetInstances: ['i-1'], tasks: [{ instanceId: undefined, live: true }] },
    want: { terminate: [], idleSince: [['i-1', NOW]] },
  },
  {
    name: 'a launching instance that hosts a live task is neither placed again nor given up',
    input: { launching: new Map([['i-1', NOW - 120_000]]), registered: new Set(['i-1']), tasks: [{ instanceId: 'i-1', live: true }] },
    want: { place: [], terminate: [] },
  },
  {
    name: 'several at once, each with its own reason',
    input: {
      fleetInstances: ['i-live', 'i-stopped', 'i-idle', 'i-new'],
      tasks: [
        { instanceId: 'i-live', live: true },
        { instanceId: 'i-stopped', live: false },
      ],
      idleSince: new Map([['i-idle', NOW - 400_000]]),
      launching: new Map([
        ['i-joined', NOW - 5_000],
        ['i-late', NOW - 70_000],
      ]),
      registered: new Set(['i-joined', 'i-live']),
    },
    want: {
      place: ['i-joined'],
      terminate: [
        { instanceId: 'i-late', reason: 'join_deadline' },
        { instanceId: 'i-stopped', reason: 'task_stopped' },
        { instanceId: 'i-idle', reason: 'idle' },
      ],
      idleSince: [
        ['i-idle', NOW - 400_000],
        ['i-new', NOW],
      ],
    },
  },
];

describe('planInstances', () => {
  it.each(rows)('$name', ({ input, want }) => {
    const plan = planInstances(observation(input), OPTIONS);
    if (want.place) expect(plan.place).toEqual(want.place);
    if (want.terminate) expect(plan.terminate).toEqual(want.terminate);
    if (want.idleSince) expect([...plan.idleSince]).toEqual(want.idleSince);
    if (want.terminated) expect([...plan.terminated]).toEqual(want.terminated);
  });

  it('reads its input and changes none of it', () => {
    const input = observation({
      fleetInstances: ['i-1'],
      idleSince: new Map([['i-1', 0]]),
      launching: new Map([['i-2', 0]]),
      terminated: new Set(['i-3']),
    });
    planInstances(input, OPTIONS);
    expect([...input.idleSince]).toEqual([['i-1', 0]]);
    expect([...input.launching]).toEqual([['i-2', 0]]);
    expect([...input.terminated]).toEqual(['i-3']);
  });

  const ids = fc.constantFrom<string>('i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6');
  const arbitraryObservation = fc.record({
    tasks: fc.array(fc.record({ instanceId: fc.option(ids, { nil: undefined }), live: fc.boolean() }), { maxLength: 8 }),
    fleetInstances: fc.array(ids, { maxLength: 8 }),
    registered: fc.option(fc.array(ids).map((a) => new Set(a)), { nil: null }),
    launching: fc.array(fc.tuple(ids, fc.integer({ min: 0, max: NOW }))).map((a) => new Map(a)),
    idleSince: fc.array(fc.tuple(ids, fc.integer({ min: 0, max: NOW }))).map((a) => new Map(a)),
    terminated: fc.array(ids).map((a) => new Set(a)),
    now: fc.constant(NOW),
  });
  const arbitraryOptions = fc.record({ joinDeadlineMs: fc.integer({ min: 0, max: NOW }), idleGraceMs: fc.integer({ min: 0, max: NOW }) });

  it('never terminates an instance that hosts a live task, one still within its join deadline or its idle grace, or one twice', () => {
    fc.assert(
      fc.property(arbitraryObservation, arbitraryOptions, (input, options) => {
        const plan = planInstances(input, options);
        const live = new Set(input.tasks.filter((t) => t.live).map((t) => t.instanceId));
        const terminatedIds = plan.terminate.map((t) => t.instanceId);
        expect(new Set(terminatedIds).size).toBe(terminatedIds.length);
        for (const t of plan.terminate) {
          expect(live.has(t.instanceId)).toBe(false);
          expect(input.terminated.has(t.instanceId)).toBe(false);
          expect(plan.place).not.toContain(t.instanceId);
          const launchedAt = input.launching.get(t.instanceId);
          if (launchedAt !== undefined) {
            expect(t.reason).toBe('join_deadline');
            expect(input.now - launchedAt).toBeGreaterThan(options.joinDeadlineMs);
          } else {
            expect(input.fleetInstances).toContain(t.instanceId);
          }
          if (t.reason === 'idle') expect(input.now - (plan.idleSince.get(t.instanceId) ?? input.now)).toBeGreaterThanOrEqual(options.idleGraceMs);
        }
        for (const id of plan.place) expect(input.registered?.has(id) && input.launching.has(id) && !live.has(id)).toBe(true);
      }),
    );
  });
});

function launchInput(overrides: Partial<LaunchObservation> = {}): LaunchObservation {
  return { wanted: 1, registered: [], busy: new Set(), launching: new Set(), terminated: new Set(), ...overrides };
}

const ci = (id: string) => ({ containerInstanceArn: `ci-${id}`, ec2InstanceId: id });

describe('planLaunch', () => {
  it.each([
    { name: 'no registered instance: all new', input: { wanted: 3 }, want: { place: [], launch: 3 } },
    { name: 'a free registered instance first', input: { wanted: 2, registered: [ci('i-1')] }, want: { place: ['i-1'], launch: 1 } },
    { name: 'no more than wanted', input: { wanted: 1, registered: [ci('i-1'), ci('i-2')] }, want: { place: ['i-1'], launch: 0 } },
    { name: 'a busy instance is not free', input: { registered: [ci('i-1')], busy: new Set(['ci-i-1']) }, want: { place: [], launch: 1 } },
    { name: 'an instance waiting for its own task is not free', input: { registered: [ci('i-1')], launching: new Set(['i-1']) }, want: { place: [], launch: 1 } },
    { name: 'an instance being terminated is not free', input: { registered: [ci('i-1')], terminated: new Set(['i-1']) }, want: { place: [], launch: 1 } },
    { name: 'an instance listed twice is used once', input: { wanted: 2, registered: [ci('i-1'), ci('i-1')] }, want: { place: ['i-1'], launch: 1 } },
    { name: 'nothing wanted', input: { wanted: 0, registered: [ci('i-1')] }, want: { place: [], launch: 0 } },
  ])('$name', ({ input, want }) => {
    expect(planLaunch(launchInput(input))).toEqual(want);
  });

  it('plans exactly what is wanted, on free instances only', () => {
    const ids = fc.constantFrom<string>('i-1', 'i-2', 'i-3', 'i-4');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.array(ids.map(ci), { maxLength: 6 }),
        fc.array(ids),
        fc.array(ids),
        fc.array(ids),
        (wanted, registered, busy, launching, terminated) => {
          const plan = planLaunch({ wanted, registered, busy: new Set(busy.map((id) => `ci-${id}`)), launching: new Set(launching), terminated: new Set(terminated) });
          expect(plan.place.length + plan.launch).toBe(wanted);
          expect(new Set(plan.place).size).toBe(plan.place.length);
          for (const id of plan.place) {
            expect(busy.includes(id) || launching.includes(id) || terminated.includes(id)).toBe(false);
            expect(registered.some((r) => r.ec2InstanceId === id)).toBe(true);
          }
        },
      ),
    );
  });
});
