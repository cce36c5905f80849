// Configurations that cannot work are refused at start, each naming its variables.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';

describe('impossible configurations', () => {
  it.each([
    { name: 'reservations shorter than a poll', env: { RESERVATION_TTL: '0.1', POLL_INTERVAL: '10', JOIN_GRACE: '0' }, want: /RESERVATION_TTL: must outlive the gap between polls/ },
    { name: 'JOIN_GRACE above the TTL', env: { RESERVATION_TTL: '5', JOIN_GRACE: '10' }, want: /JOIN_GRACE: must not exceed RESERVATION_TTL/ },
    { name: 'START_TIMEOUT shorter than a poll', env: { START_TIMEOUT: '1', POLL_INTERVAL: '600', RESERVATION_TTL: '3600' }, want: /START_TIMEOUT: must leave room for a poll/ },
    { name: 'TRUST_PROXY that is not a proxy setting', env: { TRUST_PROXY: 'four hops' }, want: /TRUST_PROXY: expected/ },
    { name: 'a schedule rule above MAX_SERVERS', env: { MAX_SERVERS: '5', MIN_SERVERS_SCHEDULE: '0 0 * * *=8' }, want: /MIN_SERVERS_SCHEDULE: .*above MAX_SERVERS=5/ },
  ])('$name', ({ env, want }) => {
    expect(() => parseConfig(env)).toThrow(want);
  });

  it.each([{ TRUST_PROXY: 'true' }, { TRUST_PROXY: '1' }, { TRUST_PROXY: 'loopback, 10.0.0.0/8' }, {}])('accepts %o', (env) => {
    expect(() => parseConfig(env)).not.toThrow();
  });
});
