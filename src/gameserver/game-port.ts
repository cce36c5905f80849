// The game port: Cerveau-like JSON messages over TCP, each ended by \x04. Anything malformed gets a
// `fatal` message and the connection is closed; nothing a client sends can take the process down.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../shared/log.js';
import type { PlayRequest, Seat, SessionTable } from './session-table.js';

const END_OF_MESSAGE = '\x04';
/** A client that sends this much without a message end is not speaking our protocol. */
const MAX_PENDING_CHARS = 1024 * 1024;
/** A connection that has not sent `play` by then is dropped. */
const PLAY_DEADLINE_MS = 60_000;

export interface GamePortServer {
  server: Server;
  /** Ends every accepted connection; closing the listener alone leaves them open. */
  destroyConnections(): void;
}

export function createGamePortServer(table: SessionTable, logger: Logger): GamePortServer {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handleConnection(socket, table, logger);
  });
  return {
    server,
    destroyConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

function handleConnection(socket: Socket, table: SessionTable, logger: Logger): void {
  let pending = '';
  let seat: Seat | null = null;
  let ended = false;
  const send = (event: string, data: unknown) => {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify({ event, data })}${END_OF_MESSAGE}`);
  };
  const closeSoon = () => {
    ended = true;
    socket.end();
  };
  const fail = (message: string) => {
    send('fatal', { message });
    closeSoon();
  };

  socket.setEncoding('utf8');
  socket.setTimeout(PLAY_DEADLINE_MS);
  socket.on('timeout', () => {
    if (!seat) fail('No play message received in time.');
  });
  socket.on('error', (err) => logger.debug('game connection error', { error: err.message }));
  socket.on('close', () => {
    if (seat) table.leave(seat);
    seat = null;
  });
  socket.on('data', (chunk: string) => {
    if (ended) return;
    pending += chunk;
    let end = pending.indexOf(END_OF_MESSAGE);
    while (end >= 0 && !ended) {
      const text = pending.slice(0, end);
      pending = pending.slice(end + 1);
      onMessage(text);
      end = pending.indexOf(END_OF_MESSAGE);
    }
    if (pending.length > MAX_PENDING_CHARS) fail('Message too long.');
  });

  function onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      fail('Could not parse the message as JSON.');
      return;
    }
    if (!isRecord(message) || typeof message.event !== 'string') {
      fail('A message must be an object with an "event" string.');
      return;
    }
    // Cerveau clients send other events during a game (alias, run, finished); the demo game ignores them.
    if (message.event !== 'play' || seat) return;
    const request = parsePlay(message.data);
    if (typeof request === 'string') {
      fail(request);
      return;
    }
    const result = table.join(request, { send, close: closeSoon });
    if (!result.ok) {
      fail(result.message);
      return;
    }
    // The table may already have ended the game (it never does at join today), so keep the seat only while open.
    if (!ended) {
      seat = result.seat;
      socket.setTimeout(0);
    }
  }
}

function parsePlay(data: unknown): PlayRequest | string {
  if (!isRecord(data)) return 'The play message needs a data object.';
  const { gameName, requestedSession, password, playerName, playerIndex } = data;
  if (typeof gameName !== 'string' || gameName.length === 0 || gameName.length > 100) return 'play needs a gameName.';
  if (requestedSession !== undefined && (typeof requestedSession !== 'string' || requestedSession.length > 200)) {
    return 'requestedSession must be a string of at most 200 characters.';
  }
  if (password !== undefined && password !== null && typeof password !== 'string') return 'password must be a string.';
  if (playerName !== undefined && typeof playerName !== 'string') return 'playerName must be a string.';
  const index = playerIndex === undefined || playerIndex === null ? undefined : Number(playerIndex);
  if (index !== undefined && !Number.isInteger(index)) return 'playerIndex must be a whole number.';
  return {
    gameName,
    requestedSession: requestedSession ?? '*',
    password: typeof password === 'string' ? password : undefined,
    playerName: (typeof playerName === 'string' && playerName.slice(0, 100)) || 'Anonymous',
    playerIndex: index,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
