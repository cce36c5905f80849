// Entry point of the demo gameserver process. Prints one `listening` line on stdout with the real ports,
// so that a parent that passed port 0 learns them; exits 0 on SIGTERM/SIGINT, and when stdin closes if asked.
import { createLogger } from '../shared/log.js';
import { stopOnSignals } from '../shared/stop-on-signals.js';
import { DEMO_USAGE, parseDemoCli } from './cli-options.js';
import { createDemoGameserver } from './demo-gameserver.js';

/** A close that hangs must not keep a stopped server alive. */
const FORCED_EXIT_MS = 3000;

async function main(): Promise<void> {
  let options;
  try {
    options = parseDemoCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${DEMO_USAGE}\n`);
    process.exit(2);
  }
  const level = process.env.LOG_LEVEL ?? 'info';
  const logger = createLogger({ level, base: { component: 'demo-gameserver', name: options.name } });
  const server = await createDemoGameserver({ ...options, logger });
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', name: server.name, host: server.host, ports: server.ports })}\n`,
  );

  const shutdown = stopOnSignals({
    close: () => server.close(),
    logger,
    messages: { stopping: 'demo gameserver stopping', failed: 'demo gameserver close failed' },
    reasonField: 'why',
    again: 'ignore',
    forcedExitMs: FORCED_EXIT_MS,
  });
  if (options.exitWithStdin) {
    // The parent holds the other end of stdin: when it dies, even by SIGKILL, stdin ends and so do we.
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.on('error', () => shutdown('stdin closed'));
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo gameserver failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
