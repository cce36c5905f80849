// Command-line arguments of arbiter-run-match, checked once with messages that say what to fix.
import { parseArgs } from 'node:util';
import { MAX_WAIT_SECONDS } from './manager-client.js';
import { checkTemplate, TemplateError } from './command-template.js';
import { parseEnvNameList } from '../shared/child-env.js';
import type { ClientSpec } from './types.js';

export const USAGE = `usage: arbiter-run-match --manager URL --out DIR (--game NAME --client CMD --client CMD | --batch FILE.jsonl [--parallel N])
  [--name NAME --name NAME]     client names (default client-0, client-1)
  [--timeout SECONDS]           how long clients may play (default 300)
  [--setting key=value]...      game settings sent with POST /setup
  [--token T]                   manager bearer token (or ARBITER_TOKEN)
  [--wait SECONDS]              with no room, wait this long for a seat before the backup (0-60, default 30)
  [--kill-grace SECONDS]        SIGTERM → SIGKILL grace (default 5)
  [--settle SECONDS]            after the first client exits, time for the others to finish (default 3)
  [--status-attempts N]         GET /status tries until the game is over (default 5)
  [--max-gamelog-bytes N]       cap on the gamelog as received and decompressed (default 268435456, 256 MiB)
  [--max-client-log-bytes N]    cap on each client's log; its head and tail are kept (default 16777216, 16 MiB)
  [--log-level LEVEL]           error | warn | info | debug (default warn)
  [--pass-env NAME[,NAME]]...   variables the clients get besides PATH, HOME, USER, SHELL, TMPDIR, TZ, LANG, LC_*, TERM
A match that fails after its setup releases its seat on the gameserver's sidecar (with ARBITER_SIDECAR_TOKEN if set).
Client commands run with /bin/sh -c, without the runner's other variables (ARBITER_TOKEN); placeholders: {host} {port} {webPort} {session} {password} {name} {index} {game}.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliArgs {
  managerUrl: string;
  token: string | undefined;
  /** `?wait=` on the allocation: how long the manager may hold the request for a seat. */
  waitSeconds: number;
  outDir: string;
  timeoutMs: number;
  settings: Record<string, string>;
  killGraceMs: number;
  settleMs: number;
  statusAttempts: number;
  maxGamelogBytes: number;
  maxClientLogBytes: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** ARBITER_SIDECAR_TOKEN from the environment: sent with the release of a session the runner gives up on. */
  sidecarToken: string | undefined;
  /** --pass-env: variables the clients get besides the allow-list. */
  passEnv: string[];
  /** Exactly one of `match` and `batch`. */
  match: { game: string; clients: ClientSpec[] } | null;
  batch: { file: string; parallel: number } | null;
  help: boolean;
}

function seconds(flag: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback * 1000;
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag} expects a number of seconds ≥ ${min}, got "${value}"`);
  return Math.round(Number(value) * 1000);
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag} expects a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}

function waitSeconds(value: string | undefined): number {
  if (value === undefined) return 30;
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || Number(value) > MAX_WAIT_SECONDS) {
    throw new UsageError(`--wait expects 0 to ${MAX_WAIT_SECONDS} seconds, got "${value}"`);
  }
  return Number(value);
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        manager: { type: 'string' },
        game: { type: 'string' },
        client: { type: 'string', multiple: true },
        name: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        out: { type: 'string' },
        batch: { type: 'string' },
        parallel: { type: 'string' },
        setting: { type: 'string', multiple: true },
        token: { type: 'string' },
        wait: { type: 'string' },
        'kill-grace': { type: 'string' },
        settle: { type: 'string' },
        'status-attempts': { type: 'string' },
        'max-gamelog-bytes': { type: 'string' },
        'max-client-log-bytes': { type: 'string' },
        'log-level': { type: 'string' },
        'pass-env': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const base = { help: values.help === true };
  if (base.help) return { ...emptyArgs(), help: true };

  if (!values.manager) throw new UsageError('--manager URL is required');
  try {
    const url = new URL(values.manager);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--manager expects an http(s) URL, got "${values.manager}"`);
  }
  if (!values.out) throw new UsageError('--out DIR is required');

  const settings: Record<string, string> = {};
  for (const pair of values.setting ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--setting expects key=value, got "${pair}"`);
    settings[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const logLevel = values['log-level'] ?? 'warn';
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) throw new UsageError(`--log-level expects error, warn, info or debug, got "${logLevel}"`);

  const passEnv = parseEnvNameList((values['pass-env'] ?? []).join(','));
  if (passEnv.invalid.length > 0) throw new UsageError(`--pass-env expects variable names, got "${passEnv.invalid.join('", "')}"`);

  const clients = values.client ?? [];
  const names = values.name ?? [];
  let match: CliArgs['match'] = null;
  let batch: CliArgs['batch'] = null;
  if (values.batch !== undefined) {
    if (clients.length > 0 || values.game !== undefined) throw new UsageError('--batch takes games and clients from the file: drop --game and --client');
    batch = { file: values.batch, parallel: wholeNumber('--parallel', values.parallel, 1, 1) };
  } else {
    if (values.parallel !== undefined) throw new UsageError('--parallel only applies with --batch');
    if (!values.game) throw new UsageError('--game NAME is required (or use --batch FILE)');
    if (clients.length < 2) throw new UsageError(`a match needs at least two --client commands, got ${clients.length}`);
    if (names.length > 0 && names.length !== clients.length) throw new UsageError(`give one --name per --client (${clients.length}), got ${names.length}`);
    if (new Set(names).size !== names.length) throw new UsageError('--name values must differ');
    for (const command of clients) {
      try {
        checkTemplate(command);
      } catch (err) {
        if (err instanceof TemplateError) throw new UsageError(err.message);
        throw err;
      }
    }
    match = { game: values.game, clients: clients.map((command, i) => (names[i] ? { command, name: names[i] } : { command })) };
  }

  return {
    ...base,
    managerUrl: values.manager,
    token: values.token ?? (env.ARBITER_TOKEN || undefined),
    sidecarToken: env.ARBITER_SIDECAR_TOKEN?.trim() || undefined,
    waitSeconds: waitSeconds(values.wait),
    outDir: values.out,
    timeoutMs: seconds('--timeout', values.timeout, 300, 0.001),
    settings,
    killGraceMs: seconds('--kill-grace', values['kill-grace'], 5),
    settleMs: seconds('--settle', values.settle, 3),
    statusAttempts: wholeNumber('--status-attempts', values['status-attempts'], 5, 1),
    maxGamelogBytes: wholeNumber('--max-gamelog-bytes', values['max-gamelog-bytes'], 256 * 1024 * 1024, 1024),
    maxClientLogBytes: wholeNumber('--max-client-log-bytes', values['max-client-log-bytes'], 16 * 1024 * 1024, 1024),
    logLevel: logLevel as CliArgs['logLevel'],
    passEnv: passEnv.names,
    match,
    batch,
  };
}

function emptyArgs(): CliArgs {
  return {
    managerUrl: '', token: undefined, sidecarToken: undefined, waitSeconds: 30, outDir: '', timeoutMs: 0, settings: {}, killGraceMs: 0, settleMs: 0,
    statusAttempts: 1, maxGamelogBytes: 0, maxClientLogBytes: 0, logLevel: 'warn', passEnv: [], match: null, batch: null, help: false,
  };
}
