/**
 * Which file the launcher's workers run: the application folder's package.json names it in
 * `"tars-ws": {"entry": "dist/examples/chat/main.js"}`, else `main`. The package.json also gives the version the
 * launcher reports to tarsnode.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';

/** The application as the launcher starts it. */
export interface AppEntry {
  /** Absolute path of the file each worker runs. */
  entry: string;
  /** `version` of the package.json ('' when absent). */
  version: string;
  /** `name` of the package.json ('' when absent). */
  name: string;
}

/** Reads `<appDir>/package.json`. @throws ConfigError when it or the entry file is missing. */
export function findAppEntry(appDir: string): AppEntry {
  const file = join(appDir, 'package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError('package.json', `cannot read ${file}: ${(err as Error).message}`);
  }
  const own = pkg['tars-ws'];
  const fromOwn =
    typeof own === 'object' && own !== null ? (own as Record<string, unknown>)['entry'] : undefined;
  const rel = typeof fromOwn === 'string' ? fromOwn : pkg['main'];
  if (typeof rel !== 'string' || rel === '') {
    throw new ConfigError(
      'package.json tars-ws.entry',
      `${file} names no entry: add "tars-ws": {"entry": "<the file that calls runGateway>"} (or "main")`,
    );
  }
  const entry = isAbsolute(rel) ? rel : resolve(appDir, rel);
  if (!existsSync(entry)) {
    throw new ConfigError('package.json tars-ws.entry', `${entry} (named in ${file}) does not exist`);
  }
  const str = (k: string): string => (typeof pkg[k] === 'string' ? pkg[k] : '');
  return { entry, version: str('version'), name: str('name') };
}
