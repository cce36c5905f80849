// A logger that keeps every event in memory with the time it was logged, so a test can measure
// how long after a cause the manager said something.
import winston from 'winston';
import Transport from 'winston-transport';
import type { Logger } from '../../../src/shared/log.js';

export interface CapturedEvent {
  at: number;
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

class MemoryTransport extends Transport {
  constructor(private readonly sink: CapturedEvent[]) {
    super();
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const { level, message, ...fields } = info;
    this.sink.push({ at: Date.now(), level: String(level), message: String(message), fields: fields as Record<string, unknown> });
    next();
  }
}

export interface CaptureLogger {
  logger: Logger;
  events: CapturedEvent[];
  /** Events with this message, optionally for one server. */
  find(message: string, serverId?: string): CapturedEvent[];
}

export function createCaptureLogger(level = 'debug'): CaptureLogger {
  const events: CapturedEvent[] = [];
  const logger = winston.createLogger({ level, transports: [new MemoryTransport(events)] });
  return {
    logger,
    events,
    find: (message, serverId) =>
      events.filter((e) => e.message === message && (serverId === undefined || e.fields.serverId === serverId)),
  };
}
