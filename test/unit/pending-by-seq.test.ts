import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PendingBySeq } from '../../src/manager/pending-by-seq.js';

describe('PendingBySeq', () => {
  it('hands each entry back once, by its seq, in any order', () => {
    const p = new PendingBySeq<string>(4);
    p.add(1, 'a');
    p.add(2, 'b');
    p.add(3, 'c');
    expect(p.take(2)).toBe('b');
    expect(p.take(2)).toBeUndefined();
    expect(p.oldest()).toBe(1);
    expect(p.take(1)).toBe('a');
    expect(p.oldest()).toBe(3);
    expect(p.take(3)).toBe('c');
    expect(p.size).toBe(0);
    expect(p.oldest()).toBeUndefined();
  });

  it('does not let a stale seq take a newer entry that shares its slot', () => {
    const p = new PendingBySeq<string>(2);
    p.add(1, 'a');
    expect(p.take(1)).toBe('a');
    p.add(3, 'c'); // the slot seq 1 had
    expect(p.take(1)).toBeUndefined();
    expect(p.take(5)).toBeUndefined();
    expect(p.take(3)).toBe('c');
  });

  it('grows when the oldest entry waits while many newer ones pass', () => {
    const p = new PendingBySeq<number>(2);
    p.add(1, 1);
    for (let seq = 2; seq <= 100; seq += 1) {
      p.add(seq, seq);
      expect(p.take(seq)).toBe(seq);
    }
    expect(p.oldest()).toBe(1);
    expect(p.take(1)).toBe(1);
    expect(p.size).toBe(0);
  });

  it('takes everything up to a seq, oldest first, and leaves the rest', () => {
    const p = new PendingBySeq<string>();
    for (const [seq, v] of [[1, 'a'], [2, 'b'], [4, 'd'], [7, 'g']] as const) p.add(seq, v);
    p.take(2);
    const taken: Array<[number, string]> = [];
    expect(p.takeUpTo(5, (seq, v) => taken.push([seq, v]))).toBe(2);
    expect(taken).toEqual([[1, 'a'], [4, 'd']]);
    expect(p.oldest()).toBe(7);
    expect(p.takeUpTo(Number.POSITIVE_INFINITY, () => undefined)).toBe(1);
    expect(p.size).toBe(0);
  });

  it('refuses a seq that is not above the last one', () => {
    const p = new PendingBySeq<string>();
    p.add(5, 'e');
    expect(() => p.add(5, 'again')).toThrow(RangeError);
    expect(() => p.add(4, 'older')).toThrow(RangeError);
    expect(() => p.add(6.5, 'fraction')).toThrow(RangeError);
    expect(() => new PendingBySeq(0)).toThrow(RangeError);
  });

  it('always agrees with a Map of the same operations', () => {
    type Op = { kind: 'add'; gap: number } | { kind: 'take'; pick: number } | { kind: 'takeUpTo'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), gap: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('take' as const), pick: fc.nat(40) }),
      fc.record({ kind: fc.constant('takeUpTo' as const), pick: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const ring = new PendingBySeq<number>(capacity);
        const model = new Map<number, number>();
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            seq += o.gap;
            ring.add(seq, seq * 10);
            model.set(seq, seq * 10);
          } else if (o.kind === 'take') {
            // Mostly seqs that are pending, sometimes ones that are not.
            const keys = [...model.keys()];
            const target = keys.length > 0 && o.pick % 4 !== 0 ? (keys[o.pick % keys.length] as number) : o.pick;
            expect(ring.take(target)).toBe(model.get(target));
            model.delete(target);
          } else {
            const upTo = seq - o.pick;
            const taken: number[] = [];
            ring.takeUpTo(upTo, (s, v) => {
              expect(v).toBe(s * 10);
              taken.push(s);
            });
            const expected = [...model.keys()].filter((s) => s <= upTo);
            expect(taken).toEqual(expected);
            for (const s of expected) model.delete(s);
          }
          expect(ring.size).toBe(model.size);
          expect(ring.oldest()).toBe(model.size > 0 ? Math.min(...model.keys()) : undefined);
        }
      }),
    );
  });
});
