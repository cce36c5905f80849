// Identifiers and loopback addresses in the shapes AWS uses.
import { randomBytes } from 'node:crypto';

export function hexId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** 32 hex digits: the id part of new-format task and container-instance ARNs. */
export function ecsId(): string {
  return hexId(16);
}

/** e.g. `i-0abc…` (17 hex digits after the prefix). */
export function ec2Id(prefix: string): string {
  return `${prefix}-${hexId(9).slice(0, 17)}`;
}

export function macAddress(): string {
  const bytes = randomBytes(5);
  return ['0a', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export class AddressExhaustedError extends Error {
  constructor(ipBase: string) {
    super(`no free address left under ${ipBase}.0.0/16`);
    this.name = 'AddressExhaustedError';
  }
}

/**
 * Hands out distinct 127.B.x.y addresses (x.y never .0 or .255) and takes them back when a task or instance goes,
 * so a long-running simulator does not run out (about 64,000 live addresses per simulator).
 */
export class AddressPool {
  private next = 1;
  private readonly released: string[] = [];
  private readonly inUse = new Set<string>();

  constructor(private readonly ipBase: string) {}

  /** Fresh addresses first; released ones only once the range is used up, so a stopped task's address stays its own. */
  take(): string {
    while (this.next < 65536) {
      const n = this.next++;
      const x = n >> 8;
      const y = n & 0xff;
      if (y === 0 || y === 255) continue;
      const address = `${this.ipBase}.${x}.${y}`;
      this.inUse.add(address);
      return address;
    }
    const recycled = this.released.shift();
    if (recycled !== undefined) {
      this.inUse.add(recycled);
      return recycled;
    }
    throw new AddressExhaustedError(this.ipBase);
  }

  release(address: string): void {
    if (this.inUse.delete(address)) this.released.push(address);
  }
}

export function hostName(address: string, region: string): string {
  return `ip-${address.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2' : `${region}.compute`}.internal`;
}
