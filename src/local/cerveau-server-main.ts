// One local Cerveau gameserver (LOCAL_GAMESERVER=cerveau): Cerveau in arena mode on the ports the manager chose, and
// the capacity sidecar in front of its web port, as one process group. Either dying ends the other and this process,
// so the manager sees one dead server; SIGTERM, SIGINT or the end of stdin (the manager is gone) stop both.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../shared/log.js';
import { createSidecar } from '../sidecar/sidecar.js';

const { values } = parseArgs({
  options: {
    'cerveau-dir': { type: 'string' },
    command: { type: 'string', default: 'node dist/index.js' },
    'tcp-port': { type: 'string' },
    'http-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'sidecar-port': { type: 'string' },
    'max-sessions': { type: 'string' },
    'logs-dir': { type: 'string' },
    name: { type: 'string', default: 'cerveau' },
  },
});

function port(flag: string): number {
  const value = Number(values[flag as keyof typeof values]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    process.stderr.write(`cerveau server: --${flag} must be a port number\n`);
    process.exit(64);
  }
  return value;
}

const tcp = port('tcp-port');
const http = port('http-port');
const ws = port('ws-port');
const sidecarPort = port('sidecar-port');
const maxSessions = port('max-sessions');
const dir = values['cerveau-dir'];
const logsDir = values['logs-dir'];
if (!dir || !logsDir) {
  process.stderr.write('cerveau server: --cerveau-dir and --logs-dir are required\n');
  process.exit(64);
}
const logger = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info', base: { component: 'cerveau-server', name: values.name } });

// Cerveau's --logs-dir X crashes at the first game unless X/gamelogs exists.
mkdirSync(join(logsDir, 'gamelogs'), { recursive: true });
// Cerveau's own flags for each port (not --port-offset, which shifts all three); the same values as environment
// variables too, because Cerveau prefers an environment value over a flag left at its default.
const flags = ['--arena', '--tcp-port', tcp, '--http-port', http, '--ws-port', ws, '--logs-dir', logsDir].map(String);
const cerveau = spawn('/bin/sh', ['-c', `exec ${values.command} ${flags.join(' ')}`], {
  cwd: dir,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, ARENA_MODE: 'true', PORT_OFFSET: '0', TCP_PORT: String(tcp), HTTP_PORT: String(http), WS_PORT: String(ws), LOGS_DIR: logsDir },
});

const sidecar = createSidecar({ cerveauUrl: `http://127.0.0.1:${http}`, maxSessions, port: sidecarPort, host: '127.0.0.1', logger });

let stopping = false;
function stop(why: string, code: number): void {
  if (stopping) return;
  stopping = true;
  logger.info('stopping', { why });
  if (cerveau.exitCode === null && cerveau.signalCode === null) cerveau.kill('SIGTERM');
  const force = setTimeout(() => {
    cerveau.kill('SIGKILL');
    process.exit(code);
  }, 3000);
  force.unref();
  void sidecar.close().finally(() => {
    if (cerveau.exitCode !== null || cerveau.signalCode !== null) process.exit(code);
    cerveau.once('exit', () => process.exit(code));
  });
}

cerveau.once('error', (err) => {
  logger.error('Cerveau did not start', { error: err.message });
  stop('Cerveau did not start', 1);
});
cerveau.once('exit', (code, signal) => {
  if (!stopping) logger.warn('Cerveau exited; this gameserver is dead', { code, signal });
  stop('Cerveau exited', 1);
});
process.once('SIGTERM', () => stop('SIGTERM', 0));
process.once('SIGINT', () => stop('SIGINT', 0));
// The manager holds the other end of stdin: when it dies, even by SIGKILL, stdin ends and so do we.
process.stdin.on('end', () => stop('stdin closed', 0));
process.stdin.on('error', () => stop('stdin closed', 0));
process.stdin.resume();

sidecar.listen().then(
  (address) => logger.info('cerveau gameserver listening', { tcpPort: tcp, httpPort: http, wsPort: ws, sidecarPort: address.port, maxSessions }),
  (err: unknown) => {
    logger.error('sidecar could not listen; this gameserver is dead', { error: (err as Error).message });
    stop('sidecar could not listen', 1);
  },
);
