/**
 * The service descriptor (the original's `tars/tars.proto.php`): `tars/tars.proto.json` in the application folder
 * names the server the package is built for. Deploy reads it to name the package; at start it is checked against
 * the Tars config, so a package uploaded to the wrong server fails loudly instead of listening on a stranger's port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { TarsAdapterConfig, TarsServerConfig } from './tars-conf.js';

/** `tars/tars.proto.json`: `{"appName": "Demo", "serverName": "WsServer", "objName": "WsObj"}`. */
export interface ServiceDescriptor {
  /** The Tars application (`server.app` in the config). */
  appName: string;
  /** The server name (`server.server`). */
  serverName: string;
  /** The WebSocket/HTTP servant: the not-tars adapter serves `<appName>.<serverName>.<objName>`. */
  objName: string;
}

/** Where the descriptor lives inside an application folder. */
export const DESCRIPTOR_PATH = join('tars', 'tars.proto.json');

const NAME = /^[A-Za-z0-9_]+$/;

/** Reads `<appDir>/tars/tars.proto.json`; undefined when the file does not exist. Throws ConfigError when invalid. */
export function loadServiceDescriptor(appDir: string): ServiceDescriptor | undefined {
  const file = join(appDir, DESCRIPTOR_PATH);
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('tars.proto.json', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseServiceDescriptor(parsed, file);
}

/** Validates a descriptor object; `source` names it in errors. */
export function parseServiceDescriptor(value: unknown, source = 'tars.proto.json'): ServiceDescriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('tars.proto.json', `${source} must hold a JSON object`);
  }
  const v = value as Record<string, unknown>;
  const field = (key: keyof ServiceDescriptor): string => {
    const s = v[key];
    if (typeof s !== 'string' || !NAME.test(s)) {
      throw new ConfigError(
        `tars.proto.json ${key}`,
        `got ${JSON.stringify(s)} in ${source}; expected a name of letters, digits and _`,
      );
    }
    return s;
  };
  return { appName: field('appName'), serverName: field('serverName'), objName: field('objName') };
}

/** `App.Server.Obj` of the descriptor's WebSocket servant. */
export function servantOf(d: ServiceDescriptor): string {
  return `${d.appName}.${d.serverName}.${d.objName}`;
}

/**
 * Checks that the config was written for the server the descriptor names and that it has the descriptor's servant
 * as a not-tars adapter. Returns that adapter.
 * @throws ConfigError saying what differs and where to fix it.
 */
export function checkServiceDescriptor(d: ServiceDescriptor, tars: TarsServerConfig): TarsAdapterConfig {
  const where = `the package's tars/tars.proto.json says ${servantOf(d)}`;
  if (d.appName !== tars.app || d.serverName !== tars.server) {
    throw new ConfigError(
      'tars.proto.json',
      `${where} but ${tars.file} is for server ${tars.app}.${tars.server}: deploy the package to ${d.appName}.${d.serverName} or fix appName/serverName`,
    );
  }
  const adapter = tars.adapters.find((a) => a.servant === servantOf(d));
  if (!adapter) {
    const known = tars.adapters.map((a) => `${a.servant} (${a.protocol})`).join(', ') || 'none';
    throw new ConfigError(
      'tars.proto.json objName',
      `${where} but ${tars.file} has no adapter for that servant (adapters: ${known}); add one with protocol not_tars or fix objName`,
    );
  }
  if (adapter.protocol !== 'not_tars') {
    throw new ConfigError(
      `tars.application.server.${adapter.name}.protocol`,
      `${servantOf(d)} carries WebSocket/HTTP, so its adapter's protocol must be not_tars, not ${adapter.protocol}`,
    );
  }
  return adapter;
}
