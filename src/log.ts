// Structured JSON logging: one event per line, a fixed message and the variable parts in fields.
import winston from 'winston';

export type Logger = winston.Logger;

/** Field names whose values never reach a log line, wherever they appear. */
const SECRET_KEYS = /token|secret|password|authorization|credential|access_?key|session_?token/i;

const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEYS.test(key) && info[key] !== undefined) info[key] = '[redacted]';
  }
  return info;
});

export interface LoggerOptions {
  level?: string;
  /** Extra fields on every line, e.g. `{ component: 'sidecar' }`. */
  base?: Record<string, unknown>;
  /** Silences output; tests pass this to keep their output readable. */
  silent?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: options.base,
    format: winston.format.combine(redact(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** A logger that drops everything; for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}
