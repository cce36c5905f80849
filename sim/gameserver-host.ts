// Simulated gameservers: one small TCP listener per task endpoint, all feeding a single HTTP parser.
// A listener costs one file descriptor and a few KB, so thousands of tasks fit in one process (see sim/README.md).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { healthBodyFor, type FullHealthBody } from '../src/shared/gameserver-health.js';
import { HEALTH_KEEP_ALIVE_MS } from '../src/shared/health-keep-alive.js';
import type { GameserverState } from './model.js';

/** What hosting a task's gameserver needs of it: in a worker process only these travel. */
export interface HostedTask {
  id: string;
  gameserver: GameserverState;
  /** Listeners bound for this task (closed when it stops). */
  listeners: NetServer[];
}

/** Where the simulator's gameserver listeners live: in its own process, or spread over worker processes. */
export interface GameserverHosting {
  /** Binds the task's endpoints; resolves with containerPort → hostPort. */
  open(task: HostedTask, endpoints: Endpoint[]): Promise<Map<number, number>>;
  /** Stops accepting for the task and drops its open connections. */
  closeTask(task: HostedTask): Promise<void>;
  /** The admin API changed `task.gameserver`: the listener's copy must follow. */
  sync(task: HostedTask): void;
  close(): Promise<void>;
}

export interface Endpoint {
  ip: string;
  containerPort: number;
  /** 0 picks a free port (bridge mode); otherwise the container port itself (awsvpc). */
  hostPort: number;
  kind: 'web' | 'game';
}

export function healthBody(task: HostedTask): FullHealthBody {
  const g = task.gameserver;
  return healthBodyFor({ capacity: g.capacity, activeSessions: g.sessions, draining: g.draining });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class GameserverHost implements GameserverHosting {
  private readonly http = createHttpServer((req, res) => this.handle(req, res));
  private readonly tasksByEndpoint = new Map<string, HostedTask>();
  private readonly socketsByTask = new Map<HostedTask, Set<Socket>>();
  /** Every task with a listener open, connected to or not, so close() releases them all. */
  private readonly openTasks = new Set<HostedTask>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** @param onStateChange told when a request to the gameserver changed its state (drain, undrain, setup). */
  constructor(private readonly onStateChange: (task: HostedTask) => void = () => {}) {
    this.http.keepAliveTimeout = HEALTH_KEEP_ALIVE_MS;
  }

  sync(): void {
    // In this process the listener reads the task's own state object.
  }

  /** Binds the task's endpoints; resolves with containerPort → hostPort. Closes what it bound if one fails. */
  async open(task: HostedTask, endpoints: Endpoint[]): Promise<Map<number, number>> {
    const ports = new Map<number, number>();
    this.openTasks.add(task);
    try {
      for (const endpoint of endpoints) {
        const server = createNetServer((socket) => this.accept(task, endpoint.kind, socket));
        task.listeners.push(server);
        const port = await listen(server, endpoint.ip, endpoint.hostPort);
        ports.set(endpoint.containerPort, port);
        this.tasksByEndpoint.set(`${endpoint.ip}:${port}`, task);
      }
    } catch (err) {
      await this.closeTask(task);
      throw err;
    }
    return ports;
  }

  /** Stops accepting for the task and drops its open connections. */
  async closeTask(task: HostedTask): Promise<void> {
    this.openTasks.delete(task);
    const listeners = task.listeners.splice(0);
    for (const server of listeners) {
      const address = server.address();
      if (address && typeof address === 'object') this.tasksByEndpoint.delete(`${address.address}:${address.port}`);
    }
    for (const socket of this.socketsByTask.get(task) ?? []) socket.destroy();
    this.socketsByTask.delete(task);
    await Promise.all(listeners.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.openTasks, ...this.socketsByTask.keys()].map((task) => this.closeTask(task)));
    this.http.closeAllConnections();
  }

  private accept(task: HostedTask, kind: Endpoint['kind'], socket: Socket): void {
    if (task.gameserver.mode === 'down') {
      socket.resetAndDestroy();
      return;
    }
    let sockets = this.socketsByTask.get(task);
    if (!sockets) {
      sockets = new Set();
      this.socketsByTask.set(task, sockets);
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // The game port only accepts connections: enough for reachability checks.
    if (kind === 'web') this.http.emit('connection', socket);
    else socket.resume();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const task = this.tasksByEndpoint.get(`${req.socket.localAddress ?? ''}:${req.socket.localPort ?? 0}`);
    if (!task) {
      sendJson(res, 503, { error: 'gameserver is not running' });
      return;
    }
    // Drain the body: the stub ignores it, but keep-alive needs it read.
    req.resume();
    req.once('end', () => {
      switch (task.gameserver.mode) {
        case 'down':
          req.socket.resetAndDestroy();
          return;
        case 'hang':
          return; // the connection is closed when the task stops or the simulator closes
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"available_capacity": tru');
          return;
        case 'slow': {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.route(task, req, res);
          }, task.gameserver.slowMs);
          this.timers.add(timer);
          return;
        }
        default:
          this.route(task, req, res);
      }
    });
  }

  private route(task: HostedTask, req: IncomingMessage, res: ServerResponse): void {
    if (res.destroyed) return;
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? '';
    const g = task.gameserver;
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, healthBody(task));
    if (req.method === 'POST' && path === '/drain') {
      g.draining = true;
      this.onStateChange(task);
      return sendJson(res, 200, healthBody(task));
    }
    if (req.method === 'POST' && path === '/undrain') {
      g.draining = false;
      this.onStateChange(task);
      return sendJson(res, 200, healthBody(task));
    }
    if (req.method === 'POST' && path === '/setup') {
      if (g.draining) return sendJson(res, 400, { error: 'gameserver is draining' });
      if (g.sessions >= g.capacity) return sendJson(res, 400, { error: 'gameserver is full' });
      g.sessions += 1;
      this.onStateChange(task);
      return sendJson(res, 200, {});
    }
    sendJson(res, 404, { error: 'not found' });
  }
}

function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 64 }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
