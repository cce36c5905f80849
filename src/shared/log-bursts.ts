// Per-server log lines in bulk: at 10,000 servers a restart logged 20,000 lines ("server discovered", "server
// active") and an outage of every gameserver 5,000 "poll failed" warnings a second. Between two flushes (the manager
// flushes after each poll round) the first `perFlush` lines of each message are written as they come; the rest are
// counted, and the flush writes one line per message saying how many were held back and, for the field named at the
// call, its most frequent values ("error": {"ECONNREFUSED": 9,980}). A leaf.
import type { Logger } from './log.js';

export type BurstLevel = 'info' | 'warn';

interface Held {
  level: BurstLevel;
  written: number;
  held: number;
  field: string | undefined;
  /** Counts of the held lines' values of `field`: at most TALLY_VALUES distinct ones, the rest under `other`. */
  tally: Map<string, number>;
}

const TALLY_VALUES = 5;
const VALUE_CHARS = 120;

export class LogBursts {
  private readonly byMessage = new Map<string, Held>();

  constructor(
    private readonly logger: Logger,
    private readonly perFlush = 20,
  ) {
    if (!Number.isInteger(perFlush) || perFlush < 0) throw new RangeError(`perFlush must be a whole number, got ${perFlush}`);
  }

  /** Writes the line now, or counts it for the next flush once `perFlush` lines of `message` have been written. */
  log(level: BurstLevel, message: string, fields: Record<string, unknown>, tallyField?: string): void {
    let h = this.byMessage.get(message);
    if (!h) {
      h = { level, written: 0, held: 0, field: tallyField, tally: new Map() };
      this.byMessage.set(message, h);
    }
    if (h.written < this.perFlush) {
      h.written += 1;
      this.logger[level](message, fields);
      return;
    }
    h.held += 1;
    if (h.field === undefined) return;
    const raw = fields[h.field];
    const value = typeof raw === 'string' ? raw.slice(0, VALUE_CHARS) : String(raw);
    const known = h.tally.get(value);
    if (known !== undefined) h.tally.set(value, known + 1);
    else if (h.tally.size < TALLY_VALUES) h.tally.set(value, 1);
    else h.tally.set('other', (h.tally.get('other') ?? 0) + 1);
  }

  /** One line per message with lines held back since the last flush; every message starts a new allowance. */
  flush(): void {
    for (const [message, h] of this.byMessage) {
      if (h.held === 0) continue;
      // `about`, not `message`: winston would join a `message` field to the line's own.
      const fields: Record<string, unknown> = { about: message, held: h.held, written: h.written };
      if (h.field !== undefined) fields[`${h.field}s`] = Object.fromEntries([...h.tally].sort((a, b) => b[1] - a[1]));
      this.logger[h.level]('log lines held back', fields);
    }
    this.byMessage.clear();
  }
}
