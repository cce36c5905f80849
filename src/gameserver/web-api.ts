// The demo gameserver's HTTP API: the §3.1 health contract plus the part of Cerveau's arena web API that a
// match runner uses (§5). Plain node:http: a handful of routes, strict body limits, JSON errors only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../shared/log.js';
import type { GamelogStore } from './gamelog-store.js';
import type { SessionTable } from './session-table.js';

const MAX_BODY_BYTES = 64 * 1024;

export interface WebApiDeps {
  table: SessionTable;
  gamelogs: GamelogStore;
  logger: Logger;
  /** Serve only /health/, /drain/ and /undrain/ (a distinct health port). */
  healthOnly: boolean;
}

class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

export function createWebHandler(deps: WebApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleWebRequest(req, res) {
    route(deps, req, res).catch((err: unknown) => {
      if (err instanceof RequestError) {
        sendJson(res, err.status, { error: err.message });
        return;
      }
      deps.logger.error('web request failed', { method: req.method, path: safePath(req.url), error: (err as Error).message });
      sendJson(res, 500, { error: 'Internal error.' });
    });
  };
}

async function route(deps: WebApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parts = pathParts(req.url ?? '/');
  const method = req.method ?? 'GET';
  const [first, second, third] = parts;

  if (parts.length === 1 && first === 'health') {
    expectMethod(method, 'GET');
    sendJson(res, 200, deps.table.health());
    return;
  }
  if (parts.length === 1 && (first === 'drain' || first === 'undrain')) {
    expectMethod(method, 'POST');
    await readBody(req);
    sendJson(res, 200, deps.table.setDraining(first === 'drain'));
    return;
  }
  if (deps.healthOnly) throw new RequestError(404, 'Not found.');

  if (parts.length === 1 && first === 'setup') {
    expectMethod(method, 'POST');
    const body = parseSetup(await readBody(req));
    const result = deps.table.setup(body.gameName, body.session, body.password, body.gameSettings);
    if (result.ok) sendJson(res, 200, {});
    else sendJson(res, result.status, { error: result.error });
    return;
  }
  if (parts.length === 3 && first === 'status' && second !== undefined && third !== undefined) {
    expectMethod(method, 'GET');
    if (!deps.table.acceptsGame(second)) throw new RequestError(400, `Game "${second}" not found.`);
    sendJson(res, 200, deps.table.status(second, third));
    return;
  }
  if (parts.length === 2 && first === 'gamelog' && second !== undefined) {
    expectMethod(method, 'GET');
    const bytes = await deps.gamelogs.load(second);
    if (!bytes) throw new RequestError(404, 'Gamelog not found.');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bytes.length });
    res.end(bytes);
    return;
  }
  throw new RequestError(404, 'Not found.');
}

interface SetupBody {
  gameName: string;
  session: string;
  password: string | undefined;
  gameSettings: Record<string, unknown>;
}

function parseSetup(raw: string): SetupBody {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new RequestError(400, 'The body must be JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'The body must be a JSON object.');
  const { gameName, session, password, gameSettings } = body as Record<string, unknown>;
  if (typeof gameName !== 'string' || gameName.length === 0 || gameName.length > 100) {
    throw new RequestError(400, 'gameName must be a non-empty string of at most 100 characters.');
  }
  if (typeof session !== 'string' || session.length === 0 || session.length > 200 || session === '*' || session === 'new') {
    throw new RequestError(400, 'session must be a session id of 1 to 200 characters.');
  }
  if (password !== undefined && password !== null && typeof password !== 'string') throw new RequestError(400, 'password must be a string.');
  if (gameSettings !== undefined && (typeof gameSettings !== 'object' || gameSettings === null || Array.isArray(gameSettings))) {
    throw new RequestError(400, 'gameSettings must be an object.');
  }
  const settings = (gameSettings ?? {}) as Record<string, unknown>;
  const winner = settings.winnerIndex;
  if (winner !== undefined && ![0, 1, '0', '1'].includes(winner as number | string)) {
    throw new RequestError(400, 'gameSettings.winnerIndex must be 0 or 1.');
  }
  return { gameName, session, password: typeof password === 'string' && password.length > 0 ? password : undefined, gameSettings: settings };
}

function expectMethod(actual: string, wanted: string): void {
  if (actual !== wanted) throw new RequestError(405, `Use ${wanted}.`);
}

function pathParts(url: string): string[] {
  const path = url.split('?')[0] ?? '';
  try {
    return path.split('/').filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  } catch {
    throw new RequestError(400, 'The path is not valid.');
  }
}

function safePath(url: string | undefined): string {
  return (url ?? '').split('?')[0]?.slice(0, 200) ?? '';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new RequestError(413, 'The body is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, 'The body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  // After an error the rest of a request body may still be arriving: do not keep the connection for reuse.
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
  if (status >= 400) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}
