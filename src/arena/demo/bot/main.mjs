// The arena's demo submission: a Joueur-shaped client (Makefile + run) that plays Arbiter's demo gameserver.
// It takes exactly the arguments an arena gives a submission:
//   --server H --port P --password PW --name TEAM --session S --index SEAT GameName
// Modes for tests and demos, from the team name's suffix: `*-hang` never exits, `*-crash` exits 3 once lobbied.
// Exits 0 when the game is over (won or lost), 1 when the connection closes first, 2 on `fatal`, 64 on bad arguments.
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const END_OF_MESSAGE = '\x04';

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      server: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '3000' },
      password: { type: 'string', default: '' },
      name: { type: 'string', default: 'demo' },
      session: { type: 'string', default: '*' },
      index: { type: 'string' },
    },
  });
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(64);
}
const args = parsed.values;
const game = parsed.positionals[0];
if (!game || !/^\d+$/.test(args.port)) {
  process.stderr.write('usage: ./run --server H --port P --password PW --name TEAM --session S --index SEAT GameName\n');
  process.exit(64);
}
const mode = args.name.endsWith('-hang') ? 'hang' : args.name.endsWith('-crash') ? 'crash' : 'normal';
console.log(`demo bot ${args.name} joining ${game} session ${args.session} at ${args.server}:${args.port} as seat ${args.index ?? '?'}`);

const socket = connect({ host: args.server, port: Number(args.port) });
socket.setEncoding('utf8');
let pending = '';
let finished = false;
const send = (event, data) => socket.write(JSON.stringify({ event, data }) + END_OF_MESSAGE);
const finish = (code, line) => {
  if (finished) return;
  finished = true;
  if (line) console.log(line);
  socket.destroy();
  process.exit(code);
};
if (mode === 'hang') setInterval(() => undefined, 60_000);

socket.on('connect', () => {
  send('play', {
    gameName: game,
    requestedSession: args.session,
    password: args.password,
    playerName: args.name,
    playerIndex: args.index === undefined ? undefined : Number(args.index),
  });
});
socket.on('data', (chunk) => {
  if (mode === 'hang') return;
  pending += chunk;
  let end = pending.indexOf(END_OF_MESSAGE);
  while (end >= 0) {
    const text = pending.slice(0, end);
    pending = pending.slice(end + 1);
    end = pending.indexOf(END_OF_MESSAGE);
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      continue;
    }
    if (message.event === 'lobbied' && mode === 'crash') process.exit(3);
    if (message.event === 'over') finish(0, `game over: ${JSON.stringify(message.data ?? {})}`);
    if (message.event === 'fatal') finish(2, `fatal: ${JSON.stringify(message.data ?? {})}`);
  }
});
socket.on('error', (err) => {
  if (mode === 'hang') return;
  process.stderr.write(`connection error: ${err.message}\n`);
  finish(1);
});
socket.on('close', () => {
  if (mode !== 'hang') finish(1);
});
