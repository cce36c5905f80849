#!/usr/bin/env node
// arbiter-run-match: runs one match (or a batch) against gameservers handed out by an Arbiter manager.
import { ChildReaper, REAPER_LABELS } from '../shared/child-reaper.js';
import { createLogger } from '../shared/log.js';
import { createArbiterClient } from './arbiter-client.js';
import { BatchFileError, runBatch } from './batch.js';
import { parseCliArgs, UsageError, USAGE } from './cli-args.js';
import { EXIT_BATCH_FAILURES, EXIT_OK, EXIT_USAGE, exitCodeFor, FAILURE_EXIT_CODES } from './exit-codes.js';
import { runMatch } from './run-match.js';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`arbiter-run-match: ${err.message}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  const logger = createLogger({ level: args.logLevel, base: { component: 'runner' } });
  const client = createArbiterClient({ managerUrl: args.managerUrl, token: args.token, waitSeconds: args.waitSeconds });
  // SIGINT/SIGTERM stop the clients and still write the result
  const aborter = new AbortController();
  const onSignal = (): void => aborter.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const reaper = await ChildReaper.start({ graceMs: args.killGraceMs, logger, label: REAPER_LABELS.runner });
  const shared = {
    client,
    reaper,
    timeoutMs: args.timeoutMs,
    settings: args.settings,
    killGraceMs: args.killGraceMs,
    settleMs: args.settleMs,
    statusAttempts: args.statusAttempts,
    maxGamelogBytes: args.maxGamelogBytes,
    maxClientLogBytes: args.maxClientLogBytes,
    passEnv: args.passEnv,
    sidecarToken: args.sidecarToken,
    signal: aborter.signal,
    logger,
  };
  try {
    if (args.batch) {
      const summary = await runBatch({ ...shared, file: args.batch.file, parallel: args.batch.parallel, outDir: args.outDir });
      process.stdout.write(`${JSON.stringify({ event: 'batch', total: summary.total, completed: summary.completed, failed: summary.failed, out: args.outDir })}\n`);
      if (aborter.signal.aborted) return FAILURE_EXIT_CODES.interrupted;
      return summary.failed === 0 ? EXIT_OK : EXIT_BATCH_FAILURES;
    }
    const match = args.match;
    if (!match) throw new UsageError('nothing to run');
    const result = await runMatch({ ...shared, game: match.game, clients: match.clients, outDir: args.outDir });
    process.stdout.write(
      `${JSON.stringify({ event: 'match', status: result.status, failure: result.failure, reason: result.reason, winner: result.winner, result: result.files.result })}\n`,
    );
    return exitCodeFor(result.failure);
  } catch (err) {
    if (err instanceof BatchFileError || err instanceof RangeError || err instanceof UsageError) {
      process.stderr.write(`arbiter-run-match: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await reaper.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`arbiter-run-match: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = FAILURE_EXIT_CODES.internal_error;
  },
);
