// The demo gameserver assembled: session table, game port, web port and an optional distinct health port.
// Local mode runs it as a child process (main.ts); tests and the backup address run it in-process.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { createSilentLogger, type Logger } from '../shared/log.js';
import { HEALTH_KEEP_ALIVE_MS } from '../shared/health-keep-alive.js';
import { listenOn } from '../shared/listen.js';
import type { ServerPorts } from '../shared/gameserver-ports.js';
import { createGamePortServer } from './game-port.js';
import { DirectoryGamelogStore, MemoryGamelogStore } from './gamelog-store.js';
import { SessionTable, type HealthBody } from './session-table.js';
import { createWebHandler } from './web-api.js';

/** Games every demo server accepts when a list is given. */
export const DEFAULT_GAMES = ['Chess', 'Demo'] as const;

export interface DemoGameserverOptions {
  host?: string;
  /** 0 lets the OS choose. */
  gamePort: number;
  webPort: number;
  /** A distinct port for /health/, /drain/, /undrain/; omitted means the web port serves them. */
  healthPort?: number;
  capacity: number;
  sessionMs: number;
  /** How long a session may wait for its players; defaults to sessionMs. */
  joinTimeoutMs?: number;
  name: string;
  /** Write gamelogs here; omitted keeps them in memory. */
  gamelogDir?: string;
  /** Extra accepted game names (added to DEFAULT_GAMES); omitted accepts any game name. */
  games?: string[];
  /** How long an over session's status stays readable; default 10 minutes. */
  overRetentionMs?: number;
  logger?: Logger;
}

export interface DemoGameserver {
  readonly name: string;
  readonly host: string;
  readonly ports: ServerPorts;
  health(): HealthBody;
  close(): Promise<void>;
}

export class DemoOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoOptionsError';
  }
}

export function validateDemoOptions(options: DemoGameserverOptions): void {
  const port = (label: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 65535)) {
      throw new DemoOptionsError(`${label} must be a whole number from 0 to 65535, got ${String(value)}`);
    }
  };
  port('gamePort', options.gamePort);
  port('webPort', options.webPort);
  port('healthPort', options.healthPort);
  if (options.gamePort !== 0 && options.gamePort === options.webPort) throw new DemoOptionsError('gamePort and webPort must differ');
  if (!Number.isInteger(options.capacity) || options.capacity < 1) {
    throw new DemoOptionsError(`capacity must be a whole number of at least 1, got ${String(options.capacity)}`);
  }
  for (const [label, value] of [['sessionMs', options.sessionMs], ['joinTimeoutMs', options.joinTimeoutMs], ['overRetentionMs', options.overRetentionMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new DemoOptionsError(`${label} must be a positive number, got ${String(value)}`);
  }
  if (typeof options.name !== 'string' || options.name.trim().length === 0) throw new DemoOptionsError('name must be a non-empty string');
}

export async function createDemoGameserver(options: DemoGameserverOptions): Promise<DemoGameserver> {
  validateDemoOptions(options);
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createSilentLogger();
  const gamelogs = options.gamelogDir ? new DirectoryGamelogStore(options.gamelogDir) : new MemoryGamelogStore();
  const table = new SessionTable({
    capacity: options.capacity,
    sessionMs: options.sessionMs,
    joinTimeoutMs: options.joinTimeoutMs ?? options.sessionMs,
    overRetentionMs: options.overRetentionMs ?? 10 * 60_000,
    games: options.games ? new Set([...DEFAULT_GAMES, ...options.games]) : null,
    gamelogs,
    logger,
  });

  const game = createGamePortServer(table, logger);
  const web = createHttpServer(createWebHandler({ table, gamelogs, logger, healthOnly: false }));
  const health = options.healthPort === undefined ? null : createHttpServer(createWebHandler({ table, gamelogs, logger, healthOnly: true }));
  const httpServers = health ? [web, health] : [web];
  for (const server of httpServers) hardenHttp(server);

  const listening: Array<NetServer | HttpServer> = [];
  const closeAll = async () => {
    table.close();
    game.destroyConnections();
    for (const server of httpServers) server.closeAllConnections();
    await Promise.all(listening.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };

  try {
    const gamePort = await listen(game.server, options.gamePort, host);
    listening.push(game.server);
    const webPort = await listen(web, options.webPort, host);
    listening.push(web);
    let healthPort = webPort;
    if (health) {
      healthPort = await listen(health, options.healthPort ?? 0, host);
      listening.push(health);
    }
    const ports: ServerPorts = { game: gamePort, web: webPort, health: healthPort };
    logger.info('demo gameserver listening', { name: options.name, host, ports });
    let closing: Promise<void> | null = null;
    return {
      name: options.name,
      host,
      ports,
      health: () => table.health(),
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function hardenHttp(server: HttpServer): void {
  server.keepAliveTimeout = HEALTH_KEEP_ALIVE_MS;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.maxHeadersCount = 100;
  // Malformed HTTP must answer 400 and drop the socket, not surface as an uncaught error.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
}

async function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  return (await listenOn(server, port, host)).port;
}
