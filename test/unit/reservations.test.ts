import { describe, expect, it } from 'vitest';
import { ReservationBook } from '../../src/manager/reservations.js';

const TTL = 1_000;

describe('ReservationBook', () => {
  it('counts live reservations per server and forgets expired ones', () => {
    const book = new ReservationBook(TTL);
    book.add('a', undefined, 0);
    book.add('a', 'm1', 500);
    book.add('b', undefined, 600);
    expect([book.live('a', 999), book.live('b', 999), book.size()]).toEqual([2, 1, 3]);
    expect(book.live('a', 1_000)).toBe(1);
    expect(book.live('a', 1_500)).toBe(0);
    book.prune(1_500);
    expect(book.size()).toBe(1);
    book.prune(1_600);
    expect(book.size()).toBe(0);
  });

  it.each([
    { name: 'issued after the poll was sent counts', at: 200, sentAt: 100, now: 300, want: 1 },
    { name: 'issued as the poll was sent counts (the poll may not know it)', at: 100, sentAt: 100, now: 300, want: 1 },
    { name: 'issued before the poll was sent is in the report already', at: 99, sentAt: 100, now: 300, want: 0 },
    { name: 'an expired one counts for nothing', at: 200, sentAt: 100, now: 1_200, want: 0 },
  ])('pendingSince: $name', ({ at, sentAt, now, want }) => {
    const book = new ReservationBook(TTL);
    book.add('a', undefined, at);
    expect(book.pendingSince('a', sentAt, now)).toBe(want);
    expect(book.pendingSince('other', sentAt, now)).toBe(0);
  });

  it('finds a session while it lives, not after', () => {
    const book = new ReservationBook(TTL);
    const r = book.add('a', 'm1', 0);
    expect(book.forSession('m1', 999)).toBe(r);
    expect(book.forSession('m1', 1_000)).toBeUndefined();
    expect(book.forSession('nobody', 0)).toBeUndefined();
  });

  it('release gives one reservation back and forgets its session', () => {
    const book = new ReservationBook(TTL);
    const r1 = book.add('a', 'm1', 0);
    book.add('a', undefined, 0);
    book.release(r1);
    expect(book.live('a', 1)).toBe(1);
    expect(book.forSession('m1', 1)).toBeUndefined();
    book.release(r1);
    expect(book.live('a', 1)).toBe(1);
  });

  it('a newer reservation for the same session is not forgotten when the old one is released', () => {
    const book = new ReservationBook(TTL);
    const old = book.add('a', 'm1', 0);
    const fresh = book.add('b', 'm1', 10);
    book.release(old);
    expect(book.forSession('m1', 20)).toBe(fresh);
  });

  it('dropServer forgets every reservation and session on that server only', () => {
    const book = new ReservationBook(TTL);
    book.add('a', 'm1', 0);
    book.add('a', undefined, 0);
    const kept = book.add('b', 'm2', 0);
    book.dropServer('a');
    expect([book.live('a', 1), book.size()]).toEqual([0, 1]);
    expect(book.forSession('m1', 1)).toBeUndefined();
    expect(book.forSession('m2', 1)).toBe(kept);
  });
});

describe('ReservationBook join grace', () => {
  it.each([
    { name: 'poll sent before the reservation', sentAt: 900, want: 1 },
    { name: 'poll sent inside the grace after it', sentAt: 1_000 + 4_999, want: 1 },
    { name: 'poll sent once the grace has passed', sentAt: 1_000 + 5_000 + 1, want: 0 },
  ])('$name → $want pending', ({ sentAt, want }) => {
    const book = new ReservationBook(30_000, 5_000);
    book.add('a', undefined, 1_000);
    expect(book.pendingSince('a', sentAt, 6_500)).toBe(want);
  });

  it('refuses a negative grace or a non-positive TTL', () => {
    expect(() => new ReservationBook(30_000, -1)).toThrow(RangeError);
    expect(() => new ReservationBook(0)).toThrow(RangeError);
  });
});

describe('ReservationBook.absorb', () => {
  it('lets the sessions a report newly shows absorb the oldest reservations made before it', () => {
    const book = new ReservationBook(30_000, 5_000);
    book.add('a', 's1', 1_000);
    book.add('a', 's2', 1_100);
    book.add('a', 's3', 2_500); // after the report was answered: cannot be in it
    expect(book.pendingSince('a', 1_500, 2_600)).toBe(3);
    book.absorb('a', 5, 2_000);
    // s1 and s2 are in the report; s3 still takes room.
    expect(book.pendingSince('a', 1_500, 2_600)).toBe(1);
    // Absorbed reservations still keep their session id idempotent and count as live for scale-in.
    expect(book.forSession('s1', 2_600)?.serverId).toBe('a');
    expect(book.live('a', 2_600)).toBe(3);
  });

  it('absorbs nothing for a report that shows no new session', () => {
    const book = new ReservationBook(30_000, 5_000);
    book.add('a', undefined, 1_000);
    book.absorb('a', 0, 2_000);
    book.absorb('a', -2, 2_000);
    expect(book.pendingSince('a', 1_500, 2_000)).toBe(1);
  });
});
