import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config.js';
import { ruleInForce, startMinSchedule, type MinServersRule } from '../../src/manager/min-schedule.js';
import { parseMinSchedule } from '../../src/shared/min-schedule-syntax.js';
import { waitFor } from '../support/wait.js';

describe('parseMinSchedule', () => {
  it.each([
    { name: 'one rule', input: '0 18 * * 5=8', want: [{ cron: '0 18 * * 5', minServers: 8 }] },
    {
      name: 'two rules, spaces and a trailing separator',
      input: ' 0 18 * * 5=8 ; 0 23 * * 5 = 1 ;',
      want: [
        { cron: '0 18 * * 5', minServers: 8 },
        { cron: '0 23 * * 5', minServers: 1 },
      ],
    },
    { name: 'six-field (seconds) expression', input: '*/30 * * * * *=2', want: [{ cron: '*/30 * * * * *', minServers: 2 }] },
    { name: 'empty text is no rule', input: '', want: [] },
  ])('$name', ({ input, want }) => {
    expect(parseMinSchedule(input)).toEqual({ ok: true, rules: want });
  });

  it.each([
    { name: 'no count', input: '0 18 * * 5' },
    { name: 'count not a number', input: '0 18 * * 5=many' },
    { name: 'negative count', input: '0 18 * * 5=-1' },
    { name: 'bad cron', input: '99 99 * * *=3' },
    { name: 'one bad rule among good ones', input: '0 18 * * 5=8;nonsense=2' },
  ])('refuses $name', ({ input }) => {
    const parsed = parseMinSchedule(input);
    expect(parsed.ok).toBe(false);
  });
});

describe('MIN_SERVERS_SCHEDULE in the config', () => {
  it('is parsed into rules', () => {
    const config = parseConfig({ MIN_SERVERS_SCHEDULE: '0 18 * * 5=8', SCHEDULE_TIMEZONE: 'Europe/Paris' });
    expect(config.scaling.minSchedule).toEqual([{ cron: '0 18 * * 5', minServers: 8 }]);
    expect(config.scaling.scheduleTimezone).toBe('Europe/Paris');
  });

  it('names both variables when both are wrong', () => {
    try {
      parseConfig({ MIN_SERVERS_SCHEDULE: 'every friday=8', SCHEDULE_TIMEZONE: 'Mars/Olympus' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^MIN_SERVERS_SCHEDULE: /m);
      expect(problems).toMatch(/^SCHEDULE_TIMEZONE: /m);
    }
  });
});

describe('startMinSchedule', () => {
  it('fires the rule when its expression matches, and stops firing after stop()', async () => {
    const fired: MinServersRule[] = [];
    const handle = startMinSchedule([{ cron: '* * * * * *', minServers: 3 }], undefined, (rule) => fired.push(rule));
    try {
      await waitFor(() => fired.length > 0, { timeoutMs: 3000, what: 'the every-second rule to fire' });
      expect(fired[0]).toEqual({ cron: '* * * * * *', minServers: 3 });
    } finally {
      await handle.stop();
    }
    const count = fired.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(fired.length).toBe(count);
  });
});

describe('Manager.setMinServers', () => {
  it('raises the floor (launching to it), clamps to MAX_SERVERS, and lowers it again', async () => {
    const { createManager } = await import('../../src/manager/create-manager.js');
    const { ManualClock } = await import('../support/manual-clock.js');
    const { createSilentLogger } = await import('../../src/shared/log.js');
    const { FakeBackend, FakeProber, makeManagerConfig } = await import('../support/factories.js');
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock, launchStatus: 'running' });
    const prober = new FakeProber({ capacity: 10 });
    const config = makeManagerConfig({ scaling: { minServers: 1, maxServers: 6, upscaleMargin: 4, downscaleMargin: 18 } });
    const manager = createManager({ config, backend, prober, clock, logger: createSilentLogger() });
    try {
      await manager.runTick();
      await manager.runPolls();
      expect(backend.live()).toHaveLength(1);

      expect(manager.setMinServers(4, 'test')).toBe(4);
      await manager.runTick();
      expect(backend.live()).toHaveLength(4);

      // More than MAX_SERVERS is clamped.
      expect(manager.setMinServers(50, 'test')).toBe(6);
      await manager.runTick();
      expect(backend.live()).toHaveLength(6);

      // Back down: the surplus drains through standby, never below the new floor.
      manager.setMinServers(1, 'test');
      await manager.runPolls();
      await manager.runTick();
      await manager.settle();
      const standby = manager.servers().filter((s) => s.state === 'standby').length;
      expect(standby).toBeGreaterThan(0);
      expect(manager.servers().filter((s) => s.state === 'active').length).toBeGreaterThanOrEqual(1);
    } finally {
      await manager.close();
    }
  });
});

describe('ruleInForce: the floor after a restart is the rule that fired last', () => {
  const rules: MinServersRule[] = [
    { cron: '0 0 * * *', minServers: 3 },
    { cron: '0 23 * * *', minServers: 1 },
  ];
  it.each([
    { name: 'started at 20:50, after midnight\'s rule and before 23:00\'s', at: '2026-12-01T20:50:00Z', want: 3 },
    { name: 'started at 23:30, after the 23:00 rule', at: '2026-12-01T23:30:00Z', want: 1 },
    { name: 'started the very second midnight\'s rule is due', at: '2026-12-02T00:00:00Z', want: 3 },
    { name: 'started at 00:00:30', at: '2026-12-02T00:00:30Z', want: 3 },
  ])('$name → $want', ({ at, want }) => {
    expect(ruleInForce(rules, 'UTC', new Date(at))?.minServers).toBe(want);
  });

  it('follows SCHEDULE_TIMEZONE', () => {
    // 20:50 UTC is 23:50 in Moscow (UTC+3): the 23:00 rule has fired there.
    expect(ruleInForce(rules, 'Europe/Moscow', new Date('2026-12-01T20:50:00Z'))?.minServers).toBe(1);
  });

  it('a weekly rule fired days ago still holds against a daily rule that fired earlier', () => {
    const weekly: MinServersRule[] = [
      { cron: '0 18 * * 5', minServers: 8 },
      { cron: '0 23 * * 5', minServers: 1 },
    ];
    // Friday 2026-11-27 21:00 UTC: the 18:00 rule is in force; Saturday: the 23:00 one.
    expect(ruleInForce(weekly, 'UTC', new Date('2026-11-27T21:00:00Z'))?.minServers).toBe(8);
    expect(ruleInForce(weekly, 'UTC', new Date('2026-11-28T12:00:00Z'))?.minServers).toBe(1);
  });

  it('startMinSchedule applies the rule in force at once', async () => {
    const seen: Array<[number, string]> = [];
    const handle = startMinSchedule(rules, 'UTC', (rule, how) => seen.push([rule.minServers, how]), new Date('2026-12-01T20:50:00Z'));
    await handle.stop();
    expect(seen).toEqual([[3, 'in force at start']]);
  });
});
