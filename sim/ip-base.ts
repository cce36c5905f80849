// Each simulator puts its tasks under its own 127.B.0.0/16. Simulators in other processes (parallel test files)
// pick B at random too, so a simulator holds a listener on 127.B.0.255 for as long as it runs: a second one that
// draws the same B cannot bind it and draws again, and one told to use a held B refuses to start. Task addresses
// never end in .255, so the claim takes none.
import { createServer, type Server } from 'node:net';

const CLAIM_PORT = 47_999;
const TRIES = 64;

export interface IpBaseClaim {
  readonly ipBase: string;
  release(): Promise<void>;
}

export class IpBaseExhaustedError extends Error {
  constructor() {
    super(`no free 127.B.0.0/16 range after ${TRIES} tries; too many simulators are running`);
    this.name = 'IpBaseExhaustedError';
  }
}

function listen(host: string): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ host, port: CLAIM_PORT, exclusive: true }, () => resolve(server));
  });
}

/** Holds a range given by the user; throws when another simulator holds it. */
export async function holdIpBase(ipBase: string): Promise<IpBaseClaim> {
  const server = await listen(`${ipBase}.0.255`);
  if (!server) throw new Error(`ipBase ${ipBase} is held by another simulator; leave ipBase unset to get a free range`);
  return claimOf(ipBase, server);
}

function claimOf(ipBase: string, server: Server): IpBaseClaim {
  return { ipBase, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** `random` returns [0, 1) like Math.random; tests pass their own to force a collision. */
export async function claimIpBase(random: () => number = Math.random): Promise<IpBaseClaim> {
  for (let attempt = 0; attempt < TRIES; attempt += 1) {
    const ipBase = `127.${10 + Math.floor(random() * 241)}`;
    const server = await listen(`${ipBase}.0.255`);
    if (server) return claimOf(ipBase, server);
  }
  throw new IpBaseExhaustedError();
}
