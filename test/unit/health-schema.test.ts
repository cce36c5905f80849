import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHealthBody } from '../../src/manager/health-schema.js';

describe('parseHealthBody', () => {
  it.each([
    { name: 'the two required fields', body: { available_capacity: 3, ready_to_close: false }, want: { availableCapacity: 3, readyToClose: false } },
    {
      name: 'every optional field',
      body: { available_capacity: 0, ready_to_close: true, max_capacity: 10, active_sessions: 10, draining: true },
      want: { availableCapacity: 0, readyToClose: true, maxCapacity: 10, activeSessions: 10, draining: true },
    },
    { name: 'unknown extra fields are ignored', body: { available_capacity: 1, ready_to_close: false, version: '2' }, want: { availableCapacity: 1, readyToClose: false } },
  ])('accepts $name', ({ body, want }) => {
    expect(parseHealthBody(body)).toEqual({ ok: true, report: want });
  });

  it.each([
    { name: 'null', body: null, where: 'body' },
    { name: 'an array', body: [1, 2], where: 'body' },
    { name: 'a string', body: 'ok', where: 'body' },
    { name: 'a missing capacity', body: { ready_to_close: false }, where: 'available_capacity' },
    { name: 'a negative capacity', body: { available_capacity: -1, ready_to_close: false }, where: 'available_capacity' },
    { name: 'a fractional capacity', body: { available_capacity: 1.5, ready_to_close: false }, where: 'available_capacity' },
    { name: 'a capacity as a string', body: { available_capacity: '3', ready_to_close: false }, where: 'available_capacity' },
    { name: 'ready_to_close as a string', body: { available_capacity: 3, ready_to_close: 'False' }, where: 'ready_to_close' },
    { name: 'a negative max_capacity', body: { available_capacity: 3, ready_to_close: false, max_capacity: -2 }, where: 'max_capacity' },
    { name: 'draining as a number', body: { available_capacity: 3, ready_to_close: false, draining: 1 }, where: 'draining' },
  ])('refuses $name, naming where', ({ body, where }) => {
    const result = parseHealthBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(new RegExp(`^invalid health answer: ${where}: `));
  });

  it('never throws on any JSON value, and accepts only what fits the contract', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const result = parseHealthBody(body);
        const b = body as Record<string, unknown> | null;
        const fits =
          typeof b === 'object' &&
          b !== null &&
          !Array.isArray(b) &&
          Number.isInteger(b.available_capacity) &&
          (b.available_capacity as number) >= 0 &&
          typeof b.ready_to_close === 'boolean';
        if (!fits) expect(result.ok).toBe(false);
        if (!result.ok) expect(typeof result.error).toBe('string');
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts every well-formed body and keeps its numbers', () => {
    const count = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(count, fc.boolean(), fc.option(count, { nil: undefined }), (available, ready, max) => {
        const body = max === undefined ? { available_capacity: available, ready_to_close: ready } : { available_capacity: available, ready_to_close: ready, max_capacity: max };
        const result = parseHealthBody(body);
        expect(result).toMatchObject({ ok: true, report: { availableCapacity: available, readyToClose: ready } });
        if (result.ok) expect(result.report.maxCapacity).toBe(max);
      }),
    );
  });
});
