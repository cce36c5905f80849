// The reaper: a small process that outlives its owner (the manager, a runner, an arena worker) only long enough to
// stop what it started (gameservers, bot clients, bots). The owner waits for its one line on stdout (it listens),
// then writes `+PGID` / `-PGID` lines as its children start and exit. When stdin ends (the owner exited, even by
// SIGKILL, since only it holds the pipe's other end), every group still listed gets SIGTERM, then SIGKILL after the
// grace period. It runs in its own process group, so a Ctrl-C meant for the owner does not reach it. --owner and
// --stops name both in its log line.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { groupAlive, signalGroup } from './process-group.js';

const { values } = parseArgs({
  options: { 'grace-ms': { type: 'string', default: '5000' }, owner: { type: 'string', default: 'owner' }, stops: { type: 'string', default: 'children' } },
});
const graceMs = Number(values['grace-ms']);
if (!Number.isFinite(graceMs) || graceMs < 0) {
  process.stderr.write(`arbiter reaper: --grace-ms must be 0 or more, got ${values['grace-ms']}\n`);
  process.exit(64);
}

const groups = new Set<number>();

function signalAll(signal: NodeJS.Signals): void {
  for (const pgid of groups) if (!signalGroup(pgid, signal)) groups.delete(pgid);
}

let reaping = false;
function reap(): void {
  if (reaping) return;
  reaping = true;
  for (const pgid of groups) if (!groupAlive(pgid)) groups.delete(pgid);
  if (groups.size === 0) process.exit(0);
  const message = `${values.owner} gone; stopping its ${values.stops}`;
  process.stderr.write(`${JSON.stringify({ level: 'warn', message, owner: values.owner, stops: values.stops, groups: [...groups] })}\n`);
  signalAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  const check = setInterval(() => {
    for (const pgid of groups) if (!groupAlive(pgid)) groups.delete(pgid);
    if (groups.size === 0 || Date.now() >= deadline) {
      clearInterval(check);
      signalAll('SIGKILL');
      process.exit(0);
    }
  }, Math.min(100, Math.max(10, graceMs)));
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const match = /^([+-])(\d+)$/.exec(line.trim());
  if (!match) return;
  const pgid = Number(match[2]);
  if (pgid <= 1) return;
  if (match[1] === '+') groups.add(pgid);
  else groups.delete(pgid);
});
lines.on('close', reap);
process.stdin.on('error', reap);
// Signals sent to the reaper by name alone (pkill) do not leave gameservers behind either.
process.on('SIGTERM', reap);
process.on('SIGINT', reap);
process.on('SIGHUP', reap);
// The owner waits for this line before it starts anything the reaper must stop.
process.stdout.write('ready\n');
