// The fake Cerveau as a process, started the way Arbiter's local mode starts the real one: `node dist/index.js --arena
// --tcp-port T --http-port H --ws-port W --logs-dir D` (Cerveau's own option names; TCP_PORT, HTTP_PORT, WS_PORT and
// ARENA_MODE from the environment too). Its TCP port plays a trivial game: once two players sent `play` for a session,
// the game runs for FAKE_CERVEAU_GAME_MS, the player in seat 0 wins, both hear `over` and the gamelog is written.
import { existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeCerveau } from './fake-cerveau.js';

const { values } = parseArgs({
  options: {
    arena: { type: 'boolean', default: false },
    'tcp-port': { type: 'string', default: process.env.TCP_PORT ?? '3000' },
    'http-port': { type: 'string', default: process.env.HTTP_PORT ?? '3080' },
    'ws-port': { type: 'string', default: process.env.WS_PORT ?? '3088' },
    'logs-dir': { type: 'string', default: process.env.LOGS_DIR ?? 'logs/' },
  },
  strict: true,
});
if (!values.arena && process.env.ARENA_MODE !== 'true') {
  process.stderr.write('fake Cerveau: only arena mode is modelled (--arena)\n');
  process.exit(64);
}
// like Cerveau, which crashes at its first game otherwise
if (!existsSync(join(values['logs-dir'], 'gamelogs'))) {
  process.stderr.write(`fake Cerveau: ${values['logs-dir']}/gamelogs does not exist\n`);
  process.exit(1);
}
const gameMs = Number(process.env.FAKE_CERVEAU_GAME_MS ?? '300');
const fake = new FakeCerveau();
const players = new Map<string, Socket[]>();
const END = '\x04';
const send = (socket: Socket, event: string, data: unknown) => socket.writable && socket.write(`${JSON.stringify({ event, data })}${END}`);

const game = createServer((socket) => {
  let pending = '';
  let seat: { gameName: string; session: string; name: string } | null = null;
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.on('close', () => {
    const s = seat && fake.sessions.get(`${seat.gameName}/${seat.session}`);
    if (seat && s && s.status !== 'over' && s.status !== 'running') fake.leave(seat.gameName, seat.session, [seat.name]);
  });
  socket.on('data', (chunk: string) => {
    pending += chunk;
    if (pending.length > 1_000_000) return socket.destroy();
    let end = pending.indexOf(END);
    while (end >= 0 && !seat) {
      const text = pending.slice(0, end);
      pending = pending.slice(end + 1);
      end = pending.indexOf(END);
      let message: { event?: string; data?: { gameName?: string; requestedSession?: string; playerName?: string; playerIndex?: number } };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        continue;
      }
      const d = message.data ?? {};
      if (message.event !== 'play' || !d.gameName || !d.requestedSession) continue;
      seat = { gameName: d.gameName, session: d.requestedSession, name: d.playerName ?? 'player' };
      const key = `${seat.gameName}/${seat.session}`;
      const s = fake.join(seat.gameName, seat.session, [seat.name], d.playerIndex === undefined ? undefined : [d.playerIndex]);
      players.set(key, [...(players.get(key) ?? []), socket]);
      send(socket, 'lobbied', { gameName: seat.gameName, gameSession: seat.session });
      if (s.status === 'running') {
        const { gameName, session } = seat;
        setTimeout(() => {
          fake.finish(gameName, session, { winnerIndex: 0 });
          for (const p of players.get(key) ?? []) {
            send(p, 'over', {});
            p.end();
          }
          players.delete(key);
        }, gameMs).unref();
      }
    }
  });
});

game.listen(Number(values['tcp-port']), '127.0.0.1');
await fake.listen(Number(values['http-port']));
process.stdout.write(`fake Cerveau listening: tcp ${values['tcp-port']}, http ${values['http-port']}, ws ${values['ws-port']}\n`);
const stop = (): void => {
  game.close();
  void fake.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
