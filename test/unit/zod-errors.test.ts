import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFirstIssue, describeIssue, describeIssues } from '../../src/shared/zod-errors.js';

const schema = z.object({ a: z.number(), nested: z.object({ b: z.string() }) }).strict();
const errorOf = (value: unknown): z.ZodError => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a schema error');
  return parsed.error;
};

describe('describeIssue', () => {
  it.each([
    { name: 'a field names its path', value: { a: 'x', nested: { b: 's' } }, whole: 'body', want: 'a: {message}' },
    { name: 'a nested field joins its path with dots', value: { a: 1, nested: { b: 2 } }, whole: 'body', want: 'nested.b: {message}' },
    { name: 'the value itself is named by `whole`', value: 'text', whole: 'body', want: 'body: {message}' },
    { name: 'the value itself without `whole` is the message alone', value: 'text', whole: undefined, want: '{message}' },
    { name: 'an empty `whole` keeps the colon', value: 'text', whole: '', want: ': {message}' },
  ])('$name', ({ value, whole, want }) => {
    const issue = errorOf(value).issues[0]!;
    expect(describeIssue(issue, whole)).toBe(want.replace('{message}', issue.message));
  });
});

describe('describeIssues', () => {
  it('gives one line per issue', () => {
    expect(describeIssues(errorOf({ a: 'x', nested: { b: 2 } }), 'line').map((l) => l.split(':')[0])).toEqual(['a', 'nested.b']);
  });
});

describe('describeFirstIssue', () => {
  it.each([
    { name: 'the first issue only', value: { a: 'x', nested: { b: 2 } }, unknownKeys: undefined, want: /^a: [^;]*$/ },
    { name: 'unknown fields in the caller\'s words', value: { a: 1, nested: { b: 's' }, c: 1 }, unknownKeys: (keys: readonly string[]) => `unknown field: ${keys.join(', ')}`, want: /^unknown field: c$/ },
    { name: 'unknown fields without words are a plain issue', value: { a: 1, nested: { b: 's' }, c: 1 }, unknownKeys: undefined, want: /^body: / },
  ])('$name', ({ value, unknownKeys, want }) => {
    expect(describeFirstIssue(errorOf(value), { whole: 'body', fallback: 'invalid', unknownKeys })).toMatch(want);
  });

  it('says the fallback when there is no issue', () => {
    expect(describeFirstIssue({ issues: [] }, { whole: 'query', fallback: 'invalid' })).toBe('query: invalid');
  });
});
