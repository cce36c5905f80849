// A client's output log with a size cap, as gamelogs have one: the first half of the cap goes to the file as it comes,
// the last half is kept in a ring in memory, and at the end the file gets a line saying how much was cut, then the
// tail. Memory stays bounded by the cap whatever a flooding bot prints.
import { closeSync, openSync, writeSync } from 'node:fs';

/** The default cap on one client's log: far above a normal bot's output. */
export const DEFAULT_MAX_CLIENT_LOG_BYTES = 16 * 1024 * 1024;

export class CappedLog {
  private readonly fd: number;
  private readonly headMax: number;
  private readonly tailMax: number;
  private written = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  private closed = false;

  constructor(path: string, maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new RangeError(`maxBytes must be a whole number ≥ 1024, got ${maxBytes}`);
    this.fd = openSync(path, 'a');
    this.headMax = Math.floor(maxBytes / 2);
    this.tailMax = maxBytes - this.headMax;
  }

  write(chunk: Buffer): void {
    if (this.closed) return;
    let rest = chunk;
    if (this.written < this.headMax) {
      const head = rest.subarray(0, this.headMax - this.written);
      writeSync(this.fd, head);
      this.written += head.length;
      rest = rest.subarray(head.length);
    }
    if (rest.length === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailBytes += rest.length;
    // drop whole chunks from the front, then trim the first, so that the ring never holds more than tailMax
    while (this.tailBytes > this.tailMax) {
      const first = this.tail[0]!;
      const over = this.tailBytes - this.tailMax;
      if (first.length <= over) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(over);
        this.tailBytes -= over;
        this.dropped += over;
      }
    }
  }

  /** Bytes held in memory for the tail (never more than half the cap). */
  get bufferedBytes(): number {
    return this.tailBytes;
  }

  /** Bytes left out of the file between its head and its tail. */
  get cutBytes(): number {
    return this.dropped;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.dropped > 0) writeSync(this.fd, `\n[arbiter: ${this.dropped} bytes of output cut here; the log keeps its first and last bytes]\n`);
      for (const part of this.tail) writeSync(this.fd, part);
    } finally {
      this.tail = [];
      closeSync(this.fd);
    }
  }
}
