// Where the variables come from: the .env file (ENV_FILE, `.env` by default) and the process environment,
// with the seed's quirks: a duplicate key whose later line is blank keeps its value, and the seed code's
// spellings (SERVER_CAPACITY, SERVER_TASK_DEFINITION, THREAD_SLEEP_TIME) stand in for the canonical names.
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './config-error.js';
import { ALIASES } from './schema.js';

export type Env = Record<string, string | undefined>;

/** Reads a .env file; a missing file is an empty one. Later lines win, as in dotenv. */
export function readEnvFile(path: string): Env {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError([`ENV_FILE: cannot read ${path}: ${(err as Error).message}`]);
  }
  const text = envFileText(path, bytes);
  const env: Env = parseDotenv(text);
  // The seed's .env repeats AWS_REGION, the second time blank: a later empty line must not erase a value.
  for (const line of text.split(/\r?\n/)) {
    for (const [key, value] of Object.entries(parseDotenv(line))) {
      if (value.trim() !== '' && (env[key] ?? '').trim() === '') env[key] = value;
    }
  }
  return env;
}

/**
 * A .env must be UTF-8 text. A UTF-16 or binary file would parse as no variables at all and, say, start local mode
 * where the user wrote an ECS configuration: refuse it instead.
 */
function envFileText(path: string, bytes: Buffer): string {
  const refuse = (why: string) => new ConfigError([`ENV_FILE: ${path} is not a UTF-8 text file (${why}); save it as UTF-8`]);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw refuse('it starts with a UTF-16 byte-order mark');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse('it holds bytes that are not UTF-8');
  }
  if (text.includes('\0')) throw refuse('it holds NUL bytes');
  return text;
}

/** The process environment wins over the file, and canonical names win over aliases. */
export function mergeEnv(fileEnv: Env, processEnv: Env): Env {
  const merged: Env = { ...fileEnv, ...processEnv };
  for (const [alias, canonical] of Object.entries(ALIASES)) {
    if (blank(merged[canonical]) && !blank(merged[alias])) merged[canonical] = merged[alias];
  }
  return merged;
}

/** The file named by ENV_FILE (`.env` if unset) under the process environment. */
export function readEnv(processEnv: Env): Env {
  const file = processEnv.ENV_FILE ?? '.env';
  return mergeEnv(readEnvFile(file), processEnv);
}

/** Empty values mean "unset", as in the seed's .env where optional values were left blank. */
export function blank(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}
