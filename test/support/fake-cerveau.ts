// An in-process stand-in for siggame's Cerveau web API in arena mode, built to the facts of design §5, with controls
// that let a test move a session through its life (join, run, finish, crash) without any game client.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';

export type FakeSessionStatus = 'empty' | 'open' | 'running' | 'over';

export interface FakeClient {
  name: string;
  index: number;
  spectating: boolean;
  won: boolean;
  lost: boolean;
  reason: string;
  disconnected: boolean;
  timedOut: boolean;
}

export interface FakeSession {
  gameName: string;
  gameSession: string;
  status: FakeSessionStatus;
  password: string | null;
  gameSettings: Record<string, unknown>;
  clients: FakeClient[];
  gamelogFilename: string | null;
  /** Player index of each client (by position in `clients`); /status shows connection order instead. */
  seats: number[];
  /** Until this time, an `over` status has the gamelog's name but not yet the players' results. */
  resultsAt?: number;
}

export interface FakeRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeCerveauOptions {
  games?: string[];
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function makeClient(name: string, index: number): FakeClient {
  return { name, index, spectating: false, won: false, lost: false, reason: '', disconnected: false, timedOut: false };
}

export class FakeCerveau {
  readonly games: Set<string>;
  /** Keyed by `${gameName}/${gameSession}`. */
  readonly sessions = new Map<string, FakeSession>();
  /** Gamelog file name → the uncompressed JSON text. */
  readonly gamelogs = new Map<string, string>();
  /** Gamelog file name → bytes served as they are (gzip-encoded, chunked, no length): a hostile gameserver's. */
  readonly rawGamelogs = new Map<string, Buffer>();
  readonly requests: FakeRequest[] = [];
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  private address: AddressInfo | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: FakeCerveauOptions = {}) {
    this.games = new Set(options.games ?? ['Chess']);
    // /setup is served the way Cerveau serves it: an express route (case-insensitive, optional trailing slash) behind
    // bodyParser.json(), which takes gzip/deflate bodies, utf-* charsets and a BOM.
    const app = express();
    app.post('/setup', express.json(), (req, res) => {
      const body: unknown = req.body;
      this.requests.push({ method: 'POST', url: req.url, headers: req.headers, body: JSON.stringify(body ?? null) });
      this.setup(body, res);
    });
    app.use((req, res) => {
      void this.handle(req, res);
    });
    this.server = createServer(app);
  }

  get url(): string {
    if (!this.address) throw new Error('fake Cerveau is not listening');
    return `http://127.0.0.1:${this.address.port}`;
  }

  get port(): number {
    if (!this.address) throw new Error('fake Cerveau is not listening');
    return this.address.port;
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    return this.url;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  session(gameName: string, gameSession: string): FakeSession {
    const found = this.sessions.get(`${gameName}/${gameSession}`);
    if (!found) throw new Error(`no fake session ${gameName}/${gameSession}`);
    return found;
  }

  /**
   * Players join; the session is `open` until two are in, then `running` (the game starts with 2 players). As in
   * Cerveau, /status numbers clients in the order they connected; `playerIndexes` are the seats they asked for
   * (default: the same order), which decide the gamelog's names (the setup's playerNames by seat) and who wins.
   */
  join(gameName: string, gameSession: string, names: string[], playerIndexes?: number[]): FakeSession {
    const s = this.ensure(gameName, gameSession);
    names.forEach((name, i) => {
      s.seats.push(playerIndexes?.[i] ?? s.clients.length);
      s.clients.push(makeClient(name, s.clients.length));
    });
    s.status = s.clients.length >= 2 ? 'running' : 'open';
    return s;
  }

  /**
   * Ends the game: the player in seat `winnerIndex` wins, the others lose. The gamelog appears after
   * `gamelogDelayMs` (null meanwhile); its winners and losers are `{index, name, reason}` with the setup's
   * playerNames by seat, as Cerveau writes them. For `resultsDelayMs` after that, /status has the gamelog's name but
   * not yet the players' won/lost/reason (real Cerveau: a few milliseconds). With `drawReason`, nobody wins.
   */
  finish(
    gameName: string,
    gameSession: string,
    options: { winnerIndex?: number; gamelogDelayMs?: number; resultsDelayMs?: number; drawReason?: string } = {},
  ): FakeSession {
    const s = this.session(gameName, gameSession);
    const winner = options.winnerIndex ?? 0;
    const seatOf = (c: FakeClient) => s.seats[s.clients.indexOf(c)] ?? c.index;
    for (const c of s.clients) {
      // a draw, as Cerveau ends one: nobody won, every player lost with the draw's reason
      c.won = options.drawReason === undefined && seatOf(c) === winner;
      c.lost = !c.won;
      c.reason = options.drawReason ?? (c.won ? 'Won by checkmate' : 'Lost by checkmate');
      c.disconnected = true;
    }
    s.status = 'over';
    s.gamelogFilename = null;
    const filename = `${gameName}-${gameSession}`;
    const playerNames = Array.isArray(s.gameSettings.playerNames) ? (s.gameSettings.playerNames as unknown[]) : [];
    const entry = (c: FakeClient) => ({ index: seatOf(c), name: typeof playerNames[seatOf(c)] === 'string' ? playerNames[seatOf(c)] : c.name, reason: c.reason });
    const write = (): void => {
      const gamelog = { gameName, gameSession, winners: s.clients.filter((c) => c.won).map(entry), losers: s.clients.filter((c) => c.lost).map(entry) };
      this.gamelogs.set(filename, JSON.stringify(gamelog));
      s.gamelogFilename = filename;
      if (options.resultsDelayMs) s.resultsAt = Date.now() + options.resultsDelayMs;
    };
    if (options.gamelogDelayMs) this.later(write, options.gamelogDelayMs);
    else write();
    return s;
  }

  /**
   * Players disconnect. Before the game starts, Cerveau deletes a room its last player leaves (/status then shows it
   * `empty` with no clients); pass `keepRoom` to keep them listed as `disconnected` instead.
   */
  leave(gameName: string, gameSession: string, names: string[], options: { keepRoom?: boolean } = {}): void {
    const s = this.session(gameName, gameSession);
    for (const c of s.clients) if (names.includes(c.name)) c.disconnected = true;
    if (s.status !== 'running' && s.status !== 'over' && s.clients.every((c) => c.disconnected) && !options.keepRoom) {
      this.sessions.delete(`${gameName}/${gameSession}`);
    }
  }

  /** The game process dies: Cerveau keeps the session `running` with no clients, forever. */
  crash(gameName: string, gameSession: string): FakeSession {
    const s = this.session(gameName, gameSession);
    s.status = 'running';
    s.clients = [];
    return s;
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private ensure(gameName: string, gameSession: string): FakeSession {
    const key = `${gameName}/${gameSession}`;
    let s = this.sessions.get(key);
    if (!s || s.status === 'over') {
      // §5: a finished session id is reused by the next comer
      s = { gameName, gameSession, status: 'empty', password: null, gameSettings: {}, clients: [], gamelogFilename: null, seats: [] };
      this.sessions.set(key, s);
    }
    return s;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', url, headers: req.headers, body });
    const path = url.split('?')[0] ?? '/';
    const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);

    if (req.method === 'GET' && parts[0] === 'status' && parts.length === 3) return this.status(parts[1] ?? '', parts[2] ?? '', res);
    if (req.method === 'GET' && parts[0] === 'gamelog' && parts.length === 2) return this.gamelog(parts[1] ?? '', res);
    if (parts[0] === 'echo') return send(res, 200, { method: req.method, url, headers: req.headers, body });
    return send(res, 404, { error: 'Not found.' });
  }

  /** Cerveau's checks, in its order: String(gameName) names the game, so `["Chess"]` is Chess too. */
  private setup(parsed: unknown, res: ServerResponse): void {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return send(res, 400, { error: 'No body sent.' });
    const body = parsed as { gameName?: unknown; session?: unknown; password?: unknown; gameSettings?: unknown };
    const gameName = String(body.gameName);
    if (!this.games.has(gameName)) return send(res, 400, { error: `gameName '${gameName}' is not a known game alias` });
    if (typeof body.session !== 'string' || body.session === '*' || body.session === 'new') {
      return send(res, 400, { error: 'session id required' });
    }
    if (typeof body.gameSettings !== 'object' || body.gameSettings === null) return send(res, 400, { error: 'gameSettings is required' });
    const existing = this.sessions.get(`${gameName}/${body.session}`);
    if (existing && existing.status !== 'over') return send(res, 400, { error: `session ${body.session} is already taken.` });
    const s = this.ensure(gameName, body.session);
    s.password = typeof body.password === 'string' ? body.password : null;
    s.gameSettings = body.gameSettings as Record<string, unknown>;
    return send(res, 200, {});
  }

  private status(gameName: string, gameSession: string, res: ServerResponse): void {
    if (!this.games.has(gameName)) return send(res, 400, { error: `Game '${gameName}' is not a known game.` });
    const s = this.sessions.get(`${gameName}/${gameSession}`);
    send(res, 200, {
      status: s?.status ?? 'empty',
      gameName,
      gameSession,
      requiredNumberOfPlayers: 2,
      clients: (s?.clients ?? []).map((c) => (s?.resultsAt !== undefined && Date.now() < s.resultsAt ? { name: c.name, spectating: c.spectating } : c)),
      gamelogFilename: s?.gamelogFilename ?? null,
    });
  }

  private gamelog(filename: string, res: ServerResponse): void {
    const raw = this.rawGamelogs.get(filename);
    if (raw) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      const step = 64 * 1024;
      for (let at = 0; at < raw.length; at += step) res.write(raw.subarray(at, at + step));
      res.end();
      return;
    }
    const text = this.gamelogs.get(filename);
    if (text === undefined) return send(res, 404, { error: 'Gamelog not found.' });
    const gz = gzipSync(Buffer.from(text, 'utf8'));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
    res.end(gz);
  }
}

export async function startFakeCerveau(options: FakeCerveauOptions = {}): Promise<FakeCerveau> {
  const fake = new FakeCerveau(options);
  await fake.listen();
  return fake;
}
