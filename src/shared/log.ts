// Logging for every process: one event per line, a fixed message and the variable parts in fields (JSON, or short human lines on a terminal). A leaf.
import winston from 'winston';
import { formatPretty } from './pretty-log.js';

export type Logger = winston.Logger;

/** Field names whose values never reach a log line, at any depth of an event. */
const SECRET_KEYS = /token|secret|password|passwd|authorization|cookie|credential|access_?key|api_?key/i;
/** A credential inside free text, e.g. an error message that quotes an Authorization header. */
const CREDENTIAL_IN_TEXT = /\b(bearer)\s+[^\s"',;]+/gi;
/** Deeper than this an event is unusual; its rest is dropped rather than walked. */
const MAX_DEPTH = 8;

/** A redacted copy: never mutates what the caller passed in, and stops at cycles. */
function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return value.replace(CREDENTIAL_IN_TEXT, '$1 [redacted]');
  if (value === null || typeof value !== 'object') return value;
  // Dates, Buffers and the like serialise through toJSON and carry no named fields.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => scrub(v, depth + 1, seen));
  } else {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = SECRET_KEYS.test(k) && v !== undefined ? '[redacted]' : scrub(v, depth + 1, seen);
    out = copy;
  }
  seen.delete(value);
  return out;
}

const redact = winston.format((info) => {
  const seen = new WeakSet<object>();
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key) && info[key] !== undefined) info[key] = '[redacted]';
    else info[key] = scrub(info[key], 0, seen);
  }
  return info;
});

/** `json`: one JSON object a line (for machines, the default off a terminal); `pretty`: short human lines. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  /** Extra fields on every line, e.g. `{ component: 'sidecar' }`. */
  base?: Record<string, unknown>;
  /** Silences output; tests pass this to keep their output readable. */
  silent?: boolean;
  /** LOG_FORMAT; unset: pretty on a terminal, JSON lines otherwise. */
  format?: LogFormat;
}

/** The format a process logs in: what LOG_FORMAT says, else pretty only when stdout is a terminal. */
export function resolveLogFormat(format: LogFormat | undefined, isTTY = process.stdout.isTTY === true): LogFormat {
  return format ?? (isTTY ? 'pretty' : 'json');
}

const pretty = (color: boolean) => winston.format.printf((info) => formatPretty(info as Record<string, unknown>, { color }));

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = resolveLogFormat(options.format);
  // Colour only for a terminal that is not told otherwise (https://no-color.org).
  const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: options.base,
    format: winston.format.combine(redact(), winston.format.timestamp(), format === 'pretty' ? pretty(color) : winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** A logger that drops everything; for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}
