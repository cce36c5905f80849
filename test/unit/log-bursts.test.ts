import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogBursts } from '../../src/shared/log-bursts.js';
import { createCapturingLogger } from '../support/factories.js';

describe('LogBursts', () => {
  it('writes the first lines of a message, holds the rest, and tells them in one line at the flush', () => {
    const { logger, lines } = createCapturingLogger();
    const bursts = new LogBursts(logger, 3);
    for (let i = 0; i < 10; i++) bursts.log('warn', 'poll failed', { serverId: `s${i}`, error: i < 8 ? 'ECONNREFUSED' : 'timed out' }, 'error');
    bursts.log('info', 'server active', { serverId: 'a' });
    expect(lines.map((l) => [l.level, l.message, l.serverId])).toEqual([
      ['warn', 'poll failed', 's0'],
      ['warn', 'poll failed', 's1'],
      ['warn', 'poll failed', 's2'],
      ['info', 'server active', 'a'],
    ]);
    bursts.flush();
    expect(lines.slice(4)).toEqual([
      expect.objectContaining({ level: 'warn', message: 'log lines held back', about: 'poll failed', held: 7, written: 3, errors: { ECONNREFUSED: 5, 'timed out': 2 } }),
    ]);
    // A new allowance after the flush; nothing held, nothing told.
    bursts.log('warn', 'poll failed', { serverId: 's10', error: 'ECONNREFUSED' }, 'error');
    bursts.flush();
    expect(lines.slice(5).map((l) => [l.message, l.serverId])).toEqual([['poll failed', 's10']]);
  });

  it('keeps at most five values of the tallied field, the rest as other, each cut to 120 characters', () => {
    const { logger, lines } = createCapturingLogger();
    const bursts = new LogBursts(logger, 0);
    for (let i = 0; i < 9; i++) bursts.log('warn', 'server unhealthy', { reason: `r${i}`.padEnd(500, 'x') }, 'reason');
    bursts.flush();
    const reasons = lines[0]!.reasons as Record<string, number>;
    expect(Object.keys(reasons)).toHaveLength(6);
    expect(reasons.other).toBe(4);
    for (const key of Object.keys(reasons)) expect(key.length).toBeLessThanOrEqual(120);
  });

  it('written + held always adds up to what was logged, per message, whatever the order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { maxLength: 200 }), fc.integer({ min: 0, max: 10 }), (calls, per) => {
        const { logger, lines } = createCapturingLogger();
        const bursts = new LogBursts(logger, per);
        const told = new Map<string, number>();
        for (const [message, flush] of calls) {
          bursts.log('info', message, { x: 1 });
          if (flush) bursts.flush();
        }
        bursts.flush();
        for (const l of lines) {
          const about = l.message === 'log lines held back' ? (l.about as string) : (l.message as string);
          told.set(about, (told.get(about) ?? 0) + (l.message === 'log lines held back' ? (l.held as number) : 1));
        }
        for (const m of ['a', 'b', 'c']) expect(told.get(m) ?? 0).toBe(calls.filter(([c]) => c === m).length);
      }),
    );
  });

  it('refuses a negative allowance', () => {
    expect(() => new LogBursts(createCapturingLogger().logger, -1)).toThrow(RangeError);
  });
});
