// A logger from src/shared/log.ts (same formats, same redaction) whose lines land in memory instead of on the console.
import { PassThrough } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger, type LoggerOptions } from '../../src/shared/log.js';

export interface CapturedLogger {
  logger: Logger;
  /** Everything written so far. */
  text: () => string;
  /** One string per JSON line. */
  lines: () => string[];
}

export function captureLogger(options: LoggerOptions = {}): CapturedLogger {
  const logger = createLogger(options);
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  logger.clear();
  logger.add(new winston.transports.Stream({ stream }));
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().split('\n').filter((l) => l.length > 0) };
}
