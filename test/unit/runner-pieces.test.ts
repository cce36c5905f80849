import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { backoffDelays } from '../../src/runner/backoff.js';
import { checkTemplate, renderCommand, shellQuote } from '../../src/runner/command-template.js';
import { parseAllocation, ManagerError } from '../../src/runner/arbiter-client.js';
import { exitCodeFor, FAILURE_EXIT_CODES } from '../../src/runner/exit-codes.js';
import { newMatchPassword } from '../../src/runner/run-match.js';
import { parseArgs } from 'node:util';

const values = { host: '10.0.0.5', port: 3000, webPort: 3080, session: 'arena_1_ab', password: 'p w', name: "o'brien", index: 1, game: 'Chess' };

describe('command templates', () => {
  it.each([
    { template: 'run -s {host}:{port}', want: 'run -s 10.0.0.5:3000' },
    { template: 'run --web {webPort} -r {session} -i {index} {game}', want: 'run --web 3080 -r arena_1_ab -i 1 Chess' },
    { template: 'run -p {password}', want: "run -p 'p w'" },
    { template: 'run -n {name}', want: "run -n 'o'\\''brien'" },
    { template: 'no placeholders', want: 'no placeholders' },
  ])('$template', ({ template, want }) => {
    expect(renderCommand(template, values)).toBe(want);
  });

  it('refuses unknown placeholders', () => {
    expect(() => checkTemplate('run {hots}')).toThrow(/unknown placeholder \{hots\}/);
  });

  it('quotes any value into exactly one shell word', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => !s.includes('\0')), (value) => {
        const out = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { encoding: 'utf8' });
        expect(out.stdout).toBe(value);
      }),
      { numRuns: 40 },
    );
  });
});

describe('newMatchPassword', () => {
  it('never looks like an option to a client that parses `-w {password}`', () => {
    const seen = new Set<string>();
    // base64url would start with '-' once in 64 tries; 2,000 tries would all but surely catch it
    for (let i = 0; i < 2_000; i += 1) {
      const password = newMatchPassword();
      seen.add(password);
      expect(password).toMatch(/^[0-9a-f]{24}$/);
      const { values: parsed } = parseArgs({ args: ['--password', password, '-w', password], options: { password: { type: 'string' }, w: { type: 'string', short: 'w' } } });
      expect(parsed).toEqual({ password, w: password });
    }
    expect(seen.size).toBe(2_000);
  });
});

describe('backoffDelays', () => {
  it('doubles up to the cap', () => {
    expect(backoffDelays({ attempts: 6, initialMs: 500, maxMs: 3000 })).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  it('stays within its bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 60_000 }), (attempts, initial, extra) => {
        const max = initial + extra;
        const delays = backoffDelays({ attempts, initialMs: initial, maxMs: max });
        expect(delays).toHaveLength(attempts - 1);
        expect(delays.every((d) => d >= 0 && d <= max)).toBe(true);
        expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual((attempts - 1) * max);
        for (let i = 1; i < delays.length; i += 1) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1] ?? 0);
      }),
    );
  });

  it.each([{ attempts: 0, initialMs: 1, maxMs: 1 }, { attempts: 2, initialMs: 5, maxMs: 1 }])('refuses %o', (o) => {
    expect(() => backoffDelays(o)).toThrow(RangeError);
  });
});

describe('parseAllocation', () => {
  it('reads the full §3.2 answer', () => {
    expect(
      parseAllocation({ available: '1.2.3.4:3000', server_id: 'arn:task/1', name: 'gs-1', host: '1.2.3.4', ports: { game: 3000, web: 3090 }, backup: false }),
    ).toEqual({ address: '1.2.3.4:3000', host: '1.2.3.4', ports: { game: 3000, web: 3090 }, serverId: 'arn:task/1', name: 'gs-1', backup: false });
  });

  it.each([
    { body: { available: '127.0.0.1:8888', backup: true }, want: { host: '127.0.0.1', ports: { game: 8888, web: 8968 }, backup: true } },
    { body: { available: 'gs.example:4000' }, want: { host: 'gs.example', ports: { game: 4000, web: 4080 }, backup: false } },
  ])('falls back to game + 80 without ports: $body.available', ({ body, want }) => {
    expect(parseAllocation(body)).toMatchObject(want);
  });

  it.each([{}, { available: 'nope' }, { available: '1.2.3.4:3000', ports: { game: 'x' } }])('refuses %o', (body) => {
    expect(() => parseAllocation(body)).toThrow(ManagerError);
  });
});

describe('exit codes', () => {
  it('are 0 only for success and distinct per failure', () => {
    expect(exitCodeFor(null)).toBe(0);
    const codes = Object.values(FAILURE_EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).not.toContain(0);
    expect(codes).not.toContain(2);
  });
});
