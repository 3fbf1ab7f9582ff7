/**
 * Builds the {@link GatewayConfig} from its layers: defaults < Tars config file < JSON config file < environment
 * < command-line flags < programmatic overrides. Unknown keys in a file and unknown flags are errors, so typos fail
 * the start loudly. On the Tars platform the Tars config (`-c FILE` or TARS_CONFIG) decides host, port, workers and
 * log level, and stays available to the application through {@link currentTarsConfig}. The config it returns can
 * resolve the same layers again with one file replaced (LiveSettings.reread): what `tars.loadconfig FILE` applies.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { loadServiceDescriptor, type ServiceDescriptor } from './tars/service-descriptor.js';
import { gatewayOptionsFromTars } from './tars/tars-conf-gateway.js';
import { parseTarsServerConfig, type TarsServerConfig } from './tars/tars-conf.js';
import { LiveSettings } from '../config/live-settings.js';
import {
  coerceOption,
  defaultConfig,
  OPTIONS,
  type GatewayConfig,
  type OptionValue,
} from '../config/options.js';

export interface LoadConfigInput {
  /**
   * Command-line arguments (without node and the script). `--key value`, `--key=value`, `--config FILE` or
   * `-c FILE`. FILE is a Tars config when it ends in `.conf` or is not JSON, else a JSON config.
   */
  argv?: readonly string[];
  /**
   * Environment (default `process.env`); `TARS_WS_CONFIG` names a JSON config file, `TARS_CONFIG` a Tars config
   * file (set by the launcher), `TARS_WS_APP_DIR` the application folder holding `tars/tars.proto.json`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over everything else (used by tests and embedding applications). */
  overrides?: Partial<GatewayConfig>;
  /** Folder whose `tars/tars.proto.json` is checked against a Tars config. Default env TARS_WS_APP_DIR, else cwd. */
  appDir?: string;
  /**
   * A config file read instead of the one of its kind that `argv` or `env` names (a Tars config instead of `-c` /
   * TARS_CONFIG, a JSON config instead of `--config` / TARS_WS_CONFIG), with the same rule to tell the kinds apart.
   */
  file?: string;
}

/** The resolved configuration and, when one was given, the Tars config and service descriptor it came from. */
export interface ResolvedConfig {
  config: Readonly<GatewayConfig>;
  tars: TarsServerConfig | undefined;
  descriptor: ServiceDescriptor | undefined;
}

let current: TarsServerConfig | undefined;

/**
 * The Tars config of the last {@link loadConfig} call, or undefined when the gateway runs standalone. Lets the
 * platform parts (PushObj, admin commands, statistics) find it without the application passing it around.
 */
export function currentTarsConfig(): TarsServerConfig | undefined {
  return current;
}

/**
 * Resolves the configuration, throwing {@link ConfigError} naming the bad key on any invalid value. The result is
 * frozen; its live options (LIVE_KEYS) follow what `reloadGatewayConfig` (`tars.loadconfig`) applies, read again
 * from the same input with one file replaced.
 * @example
 *   const config = loadConfig({ argv: process.argv.slice(2) });
 */
export function loadConfig(input: LoadConfigInput = {}): Readonly<GatewayConfig> {
  const resolved = resolveConfig(input);
  current = resolved.tars;
  return new LiveSettings(resolved.config, (file) => resolveConfig({ ...input, file }).config).config;
}

/** {@link loadConfig} that also returns the Tars config and descriptor (and leaves {@link currentTarsConfig} alone). */
export function resolveConfig(input: LoadConfigInput = {}): ResolvedConfig {
  const env = input.env ?? process.env;
  const flags = parseFlags(input.argv ?? []);
  const config: Record<string, OptionValue> = { ...defaultConfig() };

  let jsonFile = env['TARS_WS_CONFIG'];
  let jsonFromFlag: Record<string, unknown> | undefined;
  let tars: TarsServerConfig | undefined;
  // `input.file` comes last: it replaces the file of its kind that the flags named.
  for (const file of [flags.get('config'), input.file]) {
    if (file === undefined) continue;
    const read = readConfigFile(file);
    if (read.kind === 'tars') tars = read.tars;
    else [jsonFile, jsonFromFlag] = [file, read.json];
  }
  const tarsFile = env['TARS_CONFIG'];
  if (!tars && tarsFile !== undefined && tarsFile !== '') {
    tars = parseTarsServerConfig(readText(tarsFile), tarsFile);
  }
  let descriptor: ServiceDescriptor | undefined;
  if (tars) {
    descriptor = loadServiceDescriptor(input.appDir ?? env['TARS_WS_APP_DIR'] ?? process.cwd());
    Object.assign(config, gatewayOptionsFromTars(tars, descriptor));
  }
  if (jsonFile !== undefined && jsonFile !== '') {
    const json = jsonFromFlag ?? readJsonConfig(jsonFile);
    const file = jsonFile;
    for (const [key, raw] of Object.entries(json)) {
      const spec = OPTIONS.find((o) => o.key === key);
      if (!spec)
        throw new ConfigError(
          key,
          `unknown key in ${file}; known keys: ${OPTIONS.map((o) => o.key).join(', ')}`,
        );
      config[key] = coerceOption(spec, raw, file);
    }
  }
  for (const spec of OPTIONS) {
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') config[spec.key] = coerceOption(spec, raw, `env ${spec.env}`);
  }
  for (const [name, raw] of flags) {
    if (name === 'config') continue;
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec)
      throw new ConfigError(
        `--${name}`,
        `unknown flag; known flags: ${OPTIONS.map((o) => `--${o.flag}`).join(' ')}`,
      );
    config[spec.key] = coerceOption(spec, raw, `--${name}`);
  }
  for (const [key, raw] of Object.entries(input.overrides ?? {})) {
    if (raw === undefined) continue;
    const spec = OPTIONS.find((o) => o.key === key);
    if (!spec) throw new ConfigError(key, 'unknown option');
    config[key] = coerceOption(spec, raw, 'overrides');
  }
  return { config: Object.freeze(config as unknown as GatewayConfig), tars, descriptor };
}

type ConfigFile = { kind: 'tars'; tars: TarsServerConfig } | { kind: 'json'; json: Record<string, unknown> };

/**
 * Whether a config file is a Tars config: it ends in `.conf` or does not start like JSON (a file that does is meant
 * as JSON, so its JSON error is reported rather than a Tars syntax error).
 */
export function isTarsConfigFile(file: string, text: string): boolean {
  return file.endsWith('.conf') || !/^\s*[{[]/.test(text);
}

/** Reads a config file, deciding its kind with {@link isTarsConfigFile}. */
function readConfigFile(file: string): ConfigFile {
  const text = readText(file);
  if (isTarsConfigFile(file, text)) return { kind: 'tars', tars: parseTarsServerConfig(text, file) };
  return { kind: 'json', json: parseJsonConfig(text, file) };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read ${file}: ${(err as Error).message}`);
  }
}

function readJsonConfig(file: string): Record<string, unknown> {
  return parseJsonConfig(readText(file), file);
}

function parseJsonConfig(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('config', `${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * `--a 1 --b=2 --flag` -> Map{a:'1', b:'2', flag:'true'}; `-c FILE` (tarsnode's spelling) is `--config FILE`;
 * positional arguments are refused.
 */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-c') {
      const file = argv[i + 1];
      if (file === undefined || file.startsWith('-')) throw new ConfigError('-c', 'needs a file: -c FILE');
      out.set('config', file);
      i++;
      continue;
    }
    if (!arg.startsWith('--')) throw new ConfigError(arg, 'unexpected argument; flags look like --port 8080');
    const eq = arg.indexOf('=');
    if (eq > 0) {
      out.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(arg.slice(2), next);
      i++;
    } else {
      out.set(arg.slice(2), 'true');
    }
  }
  return out;
}
