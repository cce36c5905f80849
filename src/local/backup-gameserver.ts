// The backup address (BACKUP_GAMESERVER, 127.0.0.1:8888 by default in local mode) must answer something:
// when it points at a free loopback port, run a demo gameserver there in this process.
import { connect } from 'node:net';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { createDemoGameserver } from '../gameserver/demo-gameserver.js';
import { parseHealthBody } from '../manager/health-schema.js';

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
  /**
   * Whether the address may be handed out: a demo gameserver started here, or something already listening that
   * answers the /health/ contract. False when the address is taken by something that does not.
   */
  usable: boolean;
  /** Why nothing was started, when `started` is false. */
  reason?: string;
  close(): Promise<void>;
}

const notStarted = (reason: string, usable = true): BackupGameserverHandle => ({ started: false, usable, reason, close: async () => undefined });

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
  const webPort = options.webPort ?? port + 1;
  const probeTimeoutMs = options.probeTimeoutMs ?? 500;
  if (await isListening(bindHost, port, probeTimeoutMs)) {
    // Adopt it only if it is a gameserver: players sent to some other service would be lost without a trace.
    const health = await probeHealth(bindHost, webPort, Math.max(probeTimeoutMs, 1000));
    if (health === null) {
      logger.info('backup gameserver already listening; adopted', { address, healthPort: webPort });
      return notStarted(`something already listens on ${address} and answers /health/`);
    }
    logger.warn('backup address taken by something that is not a gameserver; running without a backup', { address, healthPort: webPort, error: health });
    return notStarted(`something already listens on ${address} but ${health}`, false);
  }
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
    return { started: true, usable: true, close: () => server.close() };
  } catch (err) {
    // Another process took the port meanwhile, or the web port is busy: the backup stays as configured.
    logger.warn('backup gameserver not started', { address, error: (err as Error).message });
    return notStarted((err as Error).message);
  }
}

/** null when http://host:port/health/ answers the §3.1 contract, else why not. */
async function probeHealth(host: string, port: number, timeoutMs: number): Promise<string | null> {
  if (port > 65535) return 'its health port is out of range';
  try {
    const res = await fetch(`http://${host}:${port}/health/`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `its /health/ answers HTTP ${res.status}`;
    const text = await res.text();
    if (text.length > 64 * 1024) return 'its /health/ answer is too large';
    const parsed = parseHealthBody(JSON.parse(text) as unknown);
    return parsed.ok ? null : `its /health/ ${parsed.error}`;
  } catch (err) {
    return `its /health/ does not answer (${(err as Error).message})`;
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
