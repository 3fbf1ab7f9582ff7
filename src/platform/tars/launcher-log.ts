/**
 * Where the launcher and its workers log on the platform: `<logpath>/<App>/<Server>/<App>.<Server>.log`, the file
 * the Tars web console shows. The launcher opens it once in append mode and hands the same descriptor to the workers
 * as their stdout and stderr, so their pino lines and any crash trace land in it too.
 */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../config/options.js';
import { ConfigError } from '../../errors.js';
import { trackedLogger } from '../../logger.js';
import type { TarsServerConfig } from './tars-conf.js';

export interface LauncherLog {
  logger: Logger;
  /** The log file, or undefined when the config has no logpath (then stdout). */
  file: string | undefined;
  /** Descriptor to give the workers as stdout/stderr; undefined means inherit. */
  fd: number | undefined;
}

/** `<logpath>/<App>/<Server>/<App>.<Server>.log`, or undefined without a logpath. */
export function logFileOf(tars: TarsServerConfig): string | undefined {
  if (tars.logPath === '') return undefined;
  return join(tars.logPath, tars.app, tars.server, `${tars.app}.${tars.server}.log`);
}

/** Opens the launcher's log. @throws ConfigError when the log folder cannot be written. */
export function openLauncherLog(tars: TarsServerConfig, level: LogLevel): LauncherLog {
  const file = logFileOf(tars);
  const base = { name: 'tars-ws-launcher', level };
  if (!file) return { logger: trackedLogger(base), file, fd: undefined };
  let fd: number;
  try {
    mkdirSync(join(tars.logPath, tars.app, tars.server), { recursive: true });
    fd = openSync(file, 'a');
  } catch (err) {
    throw new ConfigError(
      'tars.application.server.logpath',
      `cannot open ${file}: ${(err as Error).message}`,
    );
  }
  return { logger: trackedLogger(base, pino.destination({ fd, sync: true })), file, fd };
}
