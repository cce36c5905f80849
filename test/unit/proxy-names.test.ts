import { describe, expect, it } from 'vitest';
import { NameCollisionError, nameIndex, pickName } from '../../src/proxy/names.js';
import { renderNginxStream } from '../../src/proxy/nginx.js';

const book = { prefix: 'arbiter', words: ['alpha', 'bravo', 'charlie'] };

describe('pickName', () => {
  it.each([
    { name: 'first free word', inUse: [], replacing: undefined, want: 'arbiter-alpha' },
    { name: 'skips names in use', inUse: ['arbiter-alpha', 'arbiter-charlie'], replacing: undefined, want: 'arbiter-bravo' },
    { name: 'a replacement takes the replaced name', inUse: ['arbiter-alpha'], replacing: 'arbiter-bravo', want: 'arbiter-bravo' },
    { name: 'every word taken', inUse: ['arbiter-alpha', 'arbiter-bravo', 'arbiter-charlie'], replacing: undefined, want: null },
  ])('$name', ({ inUse, replacing, want }) => {
    expect(pickName(book, inUse, replacing)).toBe(want);
  });

  it('refuses a collision instead of overwriting', () => {
    expect(() => pickName(book, ['arbiter-alpha', 'arbiter-alpha'])).toThrow(NameCollisionError);
    expect(() => pickName(book, ['arbiter-alpha'], 'arbiter-alpha')).toThrow(/still in use/);
  });

  it('knows the list position of its own names only', () => {
    expect(nameIndex(book, 'arbiter-charlie')).toBe(2);
    expect(nameIndex(book, 'other-charlie')).toBeNull();
    expect(nameIndex(book, 'arbiter-delta')).toBeNull();
  });
});

describe('renderNginxStream', () => {
  it('gives each name the same port whatever the order, and says what it left out', () => {
    const a = { name: 'arbiter-alpha', address: '10.0.0.1:3000', inRotation: true };
    const c = { name: 'arbiter-charlie', address: '10.0.0.3:3000', inRotation: true };
    const opts = { book, basePort: 4000, listenHost: '0.0.0.0' };
    const one = renderNginxStream([a, c], opts);
    const two = renderNginxStream([c, a, { name: 'evil\n}', address: '1.2.3.4:5', inRotation: true }], opts);
    expect(one.routes).toEqual([
      { name: 'arbiter-alpha', port: 4000, target: '10.0.0.1:3000' },
      { name: 'arbiter-charlie', port: 4002, target: '10.0.0.3:3000' },
    ]);
    expect(two.routes).toEqual(one.routes);
    expect(two.skipped).toEqual([{ name: 'evil??', reason: 'name is not from the name list, so it has no stable port' }]);
    expect(two.config).not.toMatch(/evil\n/);
  });
});
