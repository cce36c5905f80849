// The backup address (BACKUP_GAMESERVER, 127.0.0.1:8888 by default in local mode) must answer something:
// when it points at a free loopback port, run a demo gameserver there in this process.
import { connect } from 'node:net';
import { createSilentLogger, type Logger } from '../log.js';
import { createDemoGameserver } from '../gameserver/demo-gameserver.js';

export interface BackupGameserverOptions {
  capacity?: number;
  sessionMs?: number;
  /** Web and health port; default the game port + 1. */
  webPort?: number;
  logger?: Logger;
  /** How long the "is anything listening" probe waits. */
  probeTimeoutMs?: number;
}

export interface BackupGameserverHandle {
  started: boolean;
  /** Why nothing was started, when `started` is false. */
  reason?: string;
  close(): Promise<void>;
}

const notStarted = (reason: string): BackupGameserverHandle => ({ started: false, reason, close: async () => undefined });

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function ensureBackupGameserver(address: string, options: BackupGameserverOptions = {}): Promise<BackupGameserverHandle> {
  const logger = options.logger ?? createSilentLogger();
  const split = address.lastIndexOf(':');
  if (split <= 0) return notStarted(`${address} is not host:port`);
  const host = address.slice(0, split);
  const port = Number(address.slice(split + 1));
  if (!isLoopbackHost(host)) return notStarted(`${address} is not a loopback address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return notStarted(`${address} has no valid port`);
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  if (await isListening(bindHost, port, options.probeTimeoutMs ?? 500)) {
    logger.info('backup gameserver already listening', { address });
    return notStarted(`something already listens on ${address}`);
  }
  const webPort = options.webPort ?? port + 1;
  try {
    const server = await createDemoGameserver({
      host: bindHost,
      gamePort: port,
      webPort: webPort > 65535 ? 0 : webPort,
      capacity: options.capacity ?? 10,
      sessionMs: options.sessionMs ?? 60_000,
      name: 'backup',
      logger,
    });
    logger.info('backup gameserver started', { address, ports: server.ports });
    return { started: true, close: () => server.close() };
  } catch (err) {
    // Another process took the port meanwhile, or the web port is busy: the backup stays as configured.
    logger.warn('backup gameserver not started', { address, error: (err as Error).message });
    return notStarted((err as Error).message);
  }
}

function isListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED'));
  });
}
