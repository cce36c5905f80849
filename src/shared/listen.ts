// Binding a server, for every process the project starts: a port that cannot be bound is an error naming the address
// and the reason, never a callback that runs anyway (Express 5's app.listen hands the error to its callback). A leaf.
import type { AddressInfo, Server } from 'node:net';

export class ListenError extends Error {
  constructor(readonly address: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`cannot listen on ${address}: ${reason}`, options);
    this.name = 'ListenError';
  }
}

/** `host:port`, bracketed for IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Listens on `host:port` (port 0: any free one); rejects with a ListenError (EADDRINUSE, EADDRNOTAVAIL, ENOTFOUND, …). */
export function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const reason = err.code ? `${err.code} (${err.message})` : err.message;
      reject(new ListenError(formatAddress(host, port), reason, { cause: err }));
    };
    server.once('error', onError);
    try {
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve(server.address() as AddressInfo);
      });
    } catch (err) {
      // A port out of range throws synchronously.
      server.off('error', onError);
      onError(err as NodeJS.ErrnoException);
    }
  });
}

/** For entry points: one line on stderr naming the program, the address and the reason, then exit 1. */
export function exitOnListenError(program: string, err: unknown): never {
  const text = err instanceof ListenError ? err.message : `cannot listen: ${(err as Error).message}`;
  process.stderr.write(`${program}: ${text.replace(/\s+/g, ' ')}\n`);
  process.exit(1);
}
