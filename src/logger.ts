/** The process logger: pino, one JSON line per event. Components take a child logger with their name. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/options.js';

export type { Logger };

export function createLogger(level: LogLevel, name = 'tars-ws'): Logger {
  return pino({ name, level });
}
