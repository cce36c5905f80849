// The runner command template that starts a prepared submission as pyrena does (`./run --server … <Game>`), with
// a scrubbed environment and per-process limits. The runner fills the placeholders with shell-quoted values and
// starts it with /bin/sh -c in its own process group; `exec` keeps the bot in that group as its leader.
import { shellQuote } from '../../runner/command-template.js';
import { BOT_PATH } from './bot-env.js';

export interface BotLimits {
  /** CPU seconds per process (RLIMIT_CPU); past it the kernel kills the bot. */
  cpuSeconds: number;
  /** Heap and data bytes per process (RLIMIT_DATA): allocations past it fail, and most runtimes then die. */
  memoryBytes: number;
  /** Largest file a bot may write itself (RLIMIT_FSIZE; its printed output is capped by the runner instead). Default 64 MiB. */
  fileBytes?: number;
  /** Open files per process (RLIMIT_NOFILE). Default 256. */
  openFiles?: number;
  prlimitPath?: string;
}

export class BotLimitsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotLimitsError';
  }
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Docker's memory syntax, as pyrena's CONTAINER_RAM takes it: `512m`, `1g`, `1048576`. */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)b?\s*$/i.exec(text);
  const bytes = m ? Math.floor(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? NaN)) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 16 * 1024 * 1024) throw new BotLimitsError(`memory ${JSON.stringify(text)} must be like 512m or 1g, at least 16m`);
  return bytes;
}

/**
 * From pyrena-like settings: CONTAINER_CPU is a share of cores (docker --cpus), which per-process limits cannot
 * express; a bot gets that share of the match's duration as CPU time (1.5 cores × 300 s → 450 CPU seconds).
 */
export function botLimitsFromContainer(settings: { cpus: string | number; ram: string; matchTimeoutSeconds: number }): BotLimits {
  const cpus = Number(settings.cpus);
  if (!Number.isFinite(cpus) || cpus <= 0 || cpus > 256) throw new BotLimitsError('CPU share must be a number of cores above 0');
  if (!Number.isFinite(settings.matchTimeoutSeconds) || settings.matchTimeoutSeconds <= 0) throw new BotLimitsError('match timeout must be positive');
  return { cpuSeconds: Math.max(1, Math.ceil(cpus * settings.matchTimeoutSeconds)), memoryBytes: parseMemory(settings.ram) };
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new BotLimitsError(`${name} must be a positive integer`);
  return value;
}

/** The exact arguments pyrena gives a submission (Joueur's main.py options). */
export const PYRENA_ARGS = '--server {host} --port {port} --password {password} --name {name} --session {session} --index {index} {game}';

export function submissionClientCommand(prepared: { dir: string }, limits: BotLimits): string {
  if (/[{}\0]/.test(prepared.dir) || !prepared.dir.startsWith('/')) throw new BotLimitsError('the submission directory must be absolute and hold no { }');
  const dir = shellQuote(prepared.dir);
  const prlimit = shellQuote(limits.prlimitPath ?? '/usr/bin/prlimit');
  const rl = [
    `--cpu=${positive(limits.cpuSeconds, 'cpuSeconds')}`,
    `--data=${positive(limits.memoryBytes, 'memoryBytes')}`,
    `--fsize=${positive(limits.fileBytes ?? 64 * 1024 * 1024, 'fileBytes')}`,
    `--nofile=${positive(limits.openFiles ?? 256, 'openFiles')}`,
  ].join(' ');
  const env = `env -i PATH=${shellQuote(BOT_PATH)} HOME=${dir} LANG=C.UTF-8 TMPDIR=/tmp`;
  return `cd ${dir} && exec ${env} ${prlimit} ${rl} -- ./run ${PYRENA_ARGS}`;
}
