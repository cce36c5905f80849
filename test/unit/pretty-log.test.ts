import { describe, expect, it } from 'vitest';
import { createSilentLogger, resolveLogFormat } from '../../src/shared/log.js';
import { formatPretty } from '../../src/shared/pretty-log.js';
import { childFields } from '../../src/local/local-child.js';
import { fleetSummary, startFleetSummary, urlsOf } from '../../src/manager/fleet-summary.js';
import { createManager } from '../../src/manager/create-manager.js';
import { createCapturingLogger, FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { ManualClock } from '../support/manual-clock.js';

const at = '2026-12-02T03:04:05.000Z';
const time = new Date(at).toTimeString().slice(0, 8);

describe('formatPretty', () => {
  it.each([
    {
      name: 'time, level, event, server name, then the fields',
      event: { timestamp: at, level: 'info', message: 'server launched', service: 'arbiter', serverId: 'arn:x', name: 'arbiter-alpha', reason: 'free capacity below upscale margin' },
      want: `${time} INFO  server launched arbiter-alpha reason="free capacity below upscale margin"`,
    },
    {
      name: 'the server id when there is no name',
      event: { timestamp: at, level: 'warn', message: 'poll failed', serverId: 'local-3', failures: 2 },
      want: `${time} WARN  poll failed local-3 failures=2`,
    },
    {
      name: "a child's JSON line is one field, as JSON, not a string of escaped JSON",
      event: { timestamp: at, level: 'info', message: 'gameserver output', name: 'arbiter-bravo', stream: 'stdout', child: { event: 'session started', id: 's1' } },
      want: `${time} INFO  gameserver output arbiter-bravo stream=stdout child={"event":"session started","id":"s1"}`,
    },
    {
      name: 'control characters and escape sequences are neutralised',
      event: { timestamp: at, level: 'info', message: 'gameserver output', line: 'a\u001b[2Jb\nc' },
      want: `${time} INFO  gameserver output line="a\\u001b[2Jb\\nc"`,
    },
  ])('$name', ({ event, want }) => {
    expect(formatPretty(event, { color: false })).toBe(want);
  });

  it('colours the level and cuts long values', () => {
    const line = formatPretty({ timestamp: at, level: 'error', message: 'x', detail: 'y'.repeat(400) }, { color: true });
    expect(line).toContain('\u001b[31mERROR\u001b[0m');
    expect(line.length).toBeLessThan(260);
    expect(line.endsWith('…')).toBe(true);
    // a raw escape in a field that needs no quoting is replaced, never written
    expect(formatPretty({ timestamp: at, level: 'info', message: 'm', x: 'a\u001bb' }, { color: false })).toMatch(/x="a\\u001bb"|x=a\?b/);
  });
});

describe('resolveLogFormat', () => {
  it.each([
    { format: undefined, tty: true, want: 'pretty' },
    { format: undefined, tty: false, want: 'json' },
    { format: 'json' as const, tty: true, want: 'json' },
    { format: 'pretty' as const, tty: false, want: 'pretty' },
  ])('$format on tty=$tty → $want', ({ format, tty, want }) => {
    expect(resolveLogFormat(format, tty)).toBe(want);
  });
});

describe('childFields', () => {
  it.each([
    { line: '{"event":"session over","winner":"a"}', want: { event: 'session over', winner: 'a' } },
    { line: 'plain text', want: null },
    { line: '{"cut off', want: null },
    { line: '[1,2]', want: null },
  ])('$line', ({ line, want }) => {
    expect(childFields(line)).toEqual(want);
  });
});

describe('fleet summary', () => {
  it('names the states that have servers, in order, with the sessions and free capacity', () => {
    const byState = { pending: 1, active: 2, standby: 0, stopping: 0, unhealthy: 1 };
    expect(fleetSummary({ servers: 4, byState, sessions: 3 }, { free: 17, paused: false })).toEqual({ servers: 4, states: '2 active, 1 pending, 1 unhealthy', sessions: 3, free: 17 });
    const none = { pending: 0, active: 0, standby: 0, stopping: 0, unhealthy: 0 };
    expect(fleetSummary({ servers: 0, byState: none, sessions: 0 }, { free: 0, paused: true })).toEqual({ servers: 0, states: 'none', sessions: 0, free: 0, paused: true });
  });

  it('a running manager\'s line counts its servers by state and the sessions they report', async () => {
    const clock = new ManualClock();
    const backend = new FakeBackend({ clock });
    const prober = new FakeProber({ capacity: 10 });
    const manager = createManager({ config: makeManagerConfig({ scaling: { minServers: 3 } }), backend, prober, clock, logger: createSilentLogger() });
    for (let i = 0; i < 3; i++) backend.add();
    await manager.start();
    const [first, second] = manager.servers();
    prober.server(first!.host as string).sessions = 2;
    prober.server(second!.host as string).sessions = 5;
    await manager.runPolls();
    const { logger, lines } = createCapturingLogger();
    const summary = startFleetSummary({ manager, logger, everyMs: 60_000 });
    try {
      await new Promise((r) => setImmediate(r));
      expect(lines.filter((l) => l.message === 'fleet').at(-1)).toMatchObject({ servers: 3, states: '3 active', sessions: 7, free: 23 });
    } finally {
      summary.stop();
      await manager.close();
    }
  });

  it.each([
    { host: '0.0.0.0', want: 'http://127.0.0.1:8000/' },
    { host: '127.0.0.1', want: 'http://127.0.0.1:8000/' },
    { host: '::1', want: 'http://[::1]:8000/' },
  ])('dashboard URL for $host', ({ host, want }) => {
    expect(urlsOf(host, 8000).dashboard).toBe(want);
  });
});
