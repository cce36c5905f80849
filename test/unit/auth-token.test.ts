// Bearer-token guard: constant-time comparison and the three answers (off, missing, wrong).
import type { Request, Response } from 'express';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireToken, tokenMatches } from '../../src/api/auth.js';
import { HttpError } from '../../src/api/errors.js';

const TOKEN = 'the-right-token-0123456789';

/** Runs the guard on a request with this Authorization header; returns what it passed to next(). */
function guard(options: Parameters<typeof requireToken>[0], header: string | undefined): unknown {
  const handler = requireToken(options);
  const req = { get: (name: string) => (name.toLowerCase() === 'authorization' ? header : undefined) } as unknown as Request;
  let passed: unknown = 'next not called';
  handler(req, {} as Response, (err?: unknown) => {
    passed = err;
  });
  return passed;
}

const closed = { token: TOKEN, what: 'the admin API', whenUnset: 'closed', variable: 'ARBITER_ADMIN_TOKEN' } as const;

describe('tokenMatches', () => {
  it.each([
    { given: TOKEN, want: true },
    { given: `${TOKEN} `, want: false },
    { given: TOKEN.toUpperCase(), want: false },
    { given: TOKEN.slice(1), want: false },
    { given: '', want: false },
    { given: `${TOKEN}${TOKEN}`, want: false },
  ])('$given → $want', ({ given, want }) => {
    expect(tokenMatches(TOKEN, given)).toBe(want);
  });

  it('agrees with string equality for any pair, of any lengths', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(tokenMatches(a, b)).toBe(a === b);
        expect(tokenMatches(a, a)).toBe(true);
      }),
    );
  });
});

describe('requireToken', () => {
  it.each([
    { name: 'right token', header: `Bearer ${TOKEN}`, status: undefined },
    { name: 'lower-case scheme', header: `bearer ${TOKEN}`, status: undefined },
    { name: 'extra spaces', header: `  Bearer   ${TOKEN}  `, status: undefined },
    { name: 'no header', header: undefined, status: 401 },
    { name: 'empty header', header: '', status: 401 },
    { name: 'scheme only', header: 'Bearer', status: 401 },
    { name: 'Basic scheme', header: `Basic ${TOKEN}`, status: 401 },
    { name: 'token without scheme', header: TOKEN, status: 401 },
    { name: 'wrong token', header: 'Bearer nope-nope-nope-nope', status: 403 },
  ])('$name → $status', ({ header, status }) => {
    const passed = guard(closed, header);
    if (status === undefined) {
      expect(passed).toBeUndefined();
    } else {
      expect(passed).toBeInstanceOf(HttpError);
      expect((passed as HttpError).status).toBe(status);
    }
  });

  it('with no token configured, a closed guard refuses with 403 disabled and names the variable', () => {
    const passed = guard({ ...closed, token: undefined }, `Bearer ${TOKEN}`) as HttpError;
    expect(passed).toBeInstanceOf(HttpError);
    expect(passed.status).toBe(403);
    expect(passed.code).toBe('disabled');
    expect(passed.message).toContain('ARBITER_ADMIN_TOKEN');
  });

  it('with no token configured, an open guard lets everything through', () => {
    expect(guard({ ...closed, token: undefined, whenUnset: 'open' }, undefined)).toBeUndefined();
    expect(guard({ ...closed, token: undefined, whenUnset: 'open' }, 'Bearer anything')).toBeUndefined();
  });

  it('never echoes the expected or the given token in its errors', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (given) => {
        fc.pre(given.trim() !== TOKEN);
        const passed = guard(closed, `Bearer ${given}`);
        if (passed instanceof HttpError) {
          expect(passed.message).not.toContain(TOKEN);
          if (given.trim().length >= 8) expect(passed.message).not.toContain(given.trim());
        }
      }),
    );
  });
});
