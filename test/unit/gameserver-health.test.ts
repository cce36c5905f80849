import { describe, expect, it } from 'vitest';
import { healthBodySchema } from '../../src/shared/gameserver-contract.js';
import { healthBodyFor, type HealthState } from '../../src/shared/gameserver-health.js';

const state = (overrides: Partial<HealthState> = {}): HealthState => ({ capacity: 4, activeSessions: 1, draining: false, ...overrides });

describe('healthBodyFor', () => {
  it.each([
    { name: 'room is capacity minus sessions', input: state(), want: { available_capacity: 3, ready_to_close: false } },
    { name: 'never below zero', input: state({ activeSessions: 6 }), want: { available_capacity: 0, ready_to_close: false } },
    { name: 'draining has no room and is not ready while sessions run', input: state({ draining: true }), want: { available_capacity: 0, ready_to_close: false } },
    { name: 'draining and empty is ready to close', input: state({ draining: true, activeSessions: 0 }), want: { available_capacity: 0, ready_to_close: true } },
    { name: 'not accepting has no room but is not ready to close', input: state({ accepting: false, activeSessions: 0 }), want: { available_capacity: 0, ready_to_close: false } },
  ])('$name', ({ input, want }) => {
    const body = healthBodyFor(input);
    expect(body).toEqual({ ...want, max_capacity: input.capacity, active_sessions: input.activeSessions, draining: input.draining });
    expect(healthBodySchema.safeParse(body).success).toBe(true);
  });

  it('keeps the field order of the contract', () => {
    expect(Object.keys(healthBodyFor(state()))).toEqual(['available_capacity', 'ready_to_close', 'max_capacity', 'active_sessions', 'draining']);
  });
});
