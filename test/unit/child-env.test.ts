import { describe, expect, it } from 'vitest';
import { childEnv, parseEnvNameList } from '../../src/shared/child-env.js';

const source = {
  PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC',
  ARBITER_ADMIN_TOKEN: 'x', AWS_SECRET_ACCESS_KEY: 'y', JAVA_HOME: '/opt/java', NODE_OPTIONS: '--inspect',
};

describe('childEnv', () => {
  it.each([
    { name: 'allow-list and locale only', options: {}, want: { PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC' } },
    { name: 'pass-through names that are set', options: { passThrough: ['JAVA_HOME', 'MISSING'] }, want: { PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', JAVA_HOME: '/opt/java' } },
    { name: 'set wins over copied values', options: { set: { PATH: '/bin', LOG_LEVEL: 'warn' } }, want: { PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', LOG_LEVEL: 'warn' } },
    { name: 'names that are not variable names are ignored', options: { passThrough: ['A=B', ''] }, want: { PATH: '/usr/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC' } },
  ])('$name', ({ options, want }) => {
    expect(childEnv(source, options)).toEqual(want);
  });

  it('never copies a token or key unless named', () => {
    const env = childEnv(source, { passThrough: ['JAVA_HOME'] });
    expect(Object.keys(env).filter((k) => /TOKEN|KEY|NODE_OPTIONS/.test(k))).toEqual([]);
  });
});

describe('parseEnvNameList', () => {
  it.each([
    { raw: undefined, want: { names: [], invalid: [] } },
    { raw: 'A, B_2 C', want: { names: ['A', 'B_2', 'C'], invalid: [] } },
    { raw: 'A,1B,x-y', want: { names: ['A'], invalid: ['1B', 'x-y'] } },
  ])('$raw', ({ raw, want }) => expect(parseEnvNameList(raw)).toEqual(want));
});
