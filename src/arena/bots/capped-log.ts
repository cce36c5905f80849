// Collects a child's output up to a byte cap; past it, one marker line says how much was dropped.
export class CappedLog {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  write(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = this.maxBytes - this.size;
    if (room <= 0) {
      this.dropped += buf.length;
      return;
    }
    const kept = buf.length <= room ? buf : buf.subarray(0, room);
    this.chunks.push(kept);
    this.size += kept.length;
    this.dropped += buf.length - kept.length;
  }

  text(): string {
    const body = Buffer.concat(this.chunks, this.size).toString('utf8');
    return this.dropped > 0 ? `${body}\n[arbiter: output cut at ${this.maxBytes} bytes; ${this.dropped} more bytes dropped]\n` : body;
  }
}
