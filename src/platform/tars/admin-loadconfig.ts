/**
 * `tars.loadconfig NAME` in the launcher: finds the named file where the platform and the app keep config files,
 * relays it to every worker (each applies it to its gateway, see config-reload.ts), and follows a new
 * `server.logLevel` itself when the file is the server's Tars config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { setLogLevel } from '../../logger.js';
import { isTarsConfigFile } from '../config-load.js';
import { parseTarsServerConfig, type TarsServerConfig } from './tars-conf.js';
import { pinoLevelOf } from './tars-conf-gateway.js';

/**
 * Where a relative NAME is looked for, in order: `server.basepath` (bin/, where the platform puts a service's config
 * files), the folder of the server's Tars config (conf/), the app folder.
 */
export function loadConfigPlaces(tars: TarsServerConfig, appDir: string): string[] {
  const places = [tars.basePath, tars.file === 'config' ? '' : dirname(tars.file), appDir];
  return [...new Set(places.filter((p) => p !== '').map((p) => resolve(p)))];
}

/** The absolute path of NAME, or a sentence saying where it was looked for. */
export function findConfigFile(
  name: string,
  places: readonly string[],
): { file: string } | { missing: string } {
  if (isAbsolute(name)) return existsSync(name) ? { file: name } : { missing: `${name} does not exist` };
  for (const place of places) {
    const file = join(place, name);
    if (existsSync(file)) return { file };
  }
  return { missing: `${name} not found in ${places.join(', ')}` };
}

/**
 * When `file` is a Tars server config (the rule of loadConfig: `.conf`, or not JSON) with another log level than
 * `logger`'s, sets it and says so; undefined otherwise (a file that does not parse is left to the workers' answers).
 */
export function followLogLevel(file: string, logger: Logger): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!isTarsConfigFile(file, text)) return undefined;
  let level;
  try {
    level = pinoLevelOf(parseTarsServerConfig(text, file).logLevel);
  } catch {
    return undefined;
  }
  if (level === logger.level) return undefined;
  const from = logger.level;
  setLogLevel(logger, level);
  return `[launcher pid ${process.pid}] applied: logLevel "${from}" -> "${level}"`;
}
