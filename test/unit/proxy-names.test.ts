import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nameAt, nameIndex, namesForLaunch, resolveNames, type NamedServer } from '../../src/proxy/names.js';
import { renderNginxStream } from '../../src/proxy/nginx.js';

const book = { prefix: 'arbiter', words: ['alpha', 'bravo', 'charlie'] };
const srv = (id: string, name: string, launchedAt = 0): NamedServer => ({ id, name, launchedAt });

describe('namesForLaunch', () => {
  it.each([
    { name: 'first free words in list order', live: [], reuse: [], count: 2, want: ['arbiter-alpha', 'arbiter-bravo'] },
    { name: 'skips names in use', live: [srv('a', 'arbiter-alpha'), srv('c', 'arbiter-charlie')], reuse: [], count: 1, want: ['arbiter-bravo'] },
    { name: 'a replacement takes the replaced name before a lower free one', live: [srv('b', 'arbiter-bravo')], reuse: ['arbiter-charlie'], count: 2, want: ['arbiter-charlie', 'arbiter-alpha'] },
    { name: 'a reused name a live server holds again is skipped', live: [srv('c', 'arbiter-charlie')], reuse: ['arbiter-charlie'], count: 1, want: ['arbiter-alpha'] },
    { name: 'a reused name not from the list is skipped', live: [], reuse: ['other-x'], count: 1, want: ['arbiter-alpha'] },
    { name: 'past the list the words come round numbered', live: [srv('a', 'arbiter-alpha'), srv('b', 'arbiter-bravo'), srv('c', 'arbiter-charlie')], reuse: [], count: 2, want: ['arbiter-alpha-2', 'arbiter-bravo-2'] },
  ])('$name', ({ live, reuse, count, want }) => {
    expect(namesForLaunch(book, live, reuse, count)).toEqual(want);
  });
});

describe('resolveNames', () => {
  it.each([
    { name: 'unique list names stay', live: [srv('a', 'arbiter-alpha'), srv('b', 'arbiter-bravo')], want: [] },
    {
      name: 'a collision: the server launched first keeps the name, the other gets the lowest free one',
      live: [srv('young', 'arbiter-alpha', 20), srv('old', 'arbiter-alpha', 10), srv('b', 'arbiter-bravo', 5)],
      want: [{ id: 'young', from: 'arbiter-alpha', to: 'arbiter-charlie', why: 'collision', keptBy: 'old' }],
    },
    {
      name: 'launched at the same time: the lower id keeps it',
      live: [srv('t-2', 'arbiter-bravo', 1), srv('t-1', 'arbiter-bravo', 1)],
      want: [{ id: 't-2', from: 'arbiter-bravo', to: 'arbiter-alpha', why: 'collision', keptBy: 't-1' }],
    },
    {
      name: 'an unnamed server, or one named outside the list, is named without taking a held name',
      live: [srv('x', '', 1), srv('y', 'fleet-1a2b3c', 2), srv('z', 'arbiter-alpha', 3)],
      want: [
        { id: 'x', from: '', to: 'arbiter-bravo', why: 'unnamed' },
        { id: 'y', from: 'fleet-1a2b3c', to: 'arbiter-charlie', why: 'unnamed' },
      ],
    },
  ])('$name', ({ live, want }) => {
    expect(resolveNames(book, live)).toEqual(want);
  });

  it('always ends with unique list names, whatever the fleet says (property)', () => {
    const anyName = fc.oneof(fc.constantFrom('arbiter-alpha', 'arbiter-bravo', 'arbiter-charlie', 'arbiter-alpha-2', '', 'junk'));
    fc.assert(
      fc.property(fc.array(fc.tuple(anyName, fc.nat(5)), { maxLength: 12 }), (rows) => {
        const live = rows.map(([name, t], i) => srv(`s${i}`, name, t));
        const renames = new Map(resolveNames(book, live).map((r) => [r.id, r.to]));
        const final = live.map((s) => renames.get(s.id) ?? s.name);
        expect(new Set(final).size).toBe(final.length);
        for (const n of final) expect(nameIndex(book, n)).not.toBeNull();
        // a name held once and from the list is never changed
        for (const s of live) if (live.filter((o) => o.name === s.name).length === 1 && nameIndex(book, s.name) !== null) expect(renames.has(s.id)).toBe(false);
      }),
    );
  });
});

describe('nameIndex', () => {
  it('knows the list position of its own names only, numbered rounds included', () => {
    expect(nameIndex(book, 'arbiter-charlie')).toBe(2);
    expect(nameIndex(book, 'arbiter-bravo-2')).toBe(4);
    expect(nameIndex(book, 'other-charlie')).toBeNull();
    expect(nameIndex(book, 'arbiter-delta')).toBeNull();
    expect(nameIndex(book, 'arbiter-alpha-1')).toBeNull();
    for (let i = 0; i < 20; i += 1) expect(nameIndex(book, nameAt(book, i))).toBe(i);
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
