/**
 * Builds the {@link GatewayConfig} from its layers: defaults < JSON config file < environment < command-line flags
 * < programmatic overrides. Unknown keys in a file and unknown flags are errors, so typos fail the start loudly.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { coerceOption, defaultConfig, OPTIONS, type GatewayConfig } from './options.js';

export interface LoadConfigInput {
  /** Command-line arguments (without node and the script). `--key value`, `--key=value`, `--config FILE`. */
  argv?: readonly string[];
  /** Environment (default `process.env`); `TARS_WS_CONFIG` names a JSON config file. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over everything else (used by tests and embedding applications). */
  overrides?: Partial<GatewayConfig>;
}

/**
 * Resolves the configuration, throwing {@link ConfigError} naming the bad key on any invalid value.
 * @example
 *   const config = loadConfig({ argv: process.argv.slice(2) });
 */
export function loadConfig(input: LoadConfigInput = {}): Readonly<GatewayConfig> {
  const env = input.env ?? process.env;
  const flags = parseFlags(input.argv ?? []);
  const config: Record<string, string | number> = { ...defaultConfig() };

  const file = flags.get('config') ?? env['TARS_WS_CONFIG'];
  if (file !== undefined && file !== '') {
    for (const [key, raw] of Object.entries(readJsonConfig(file))) {
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
  return Object.freeze(config as unknown as GatewayConfig);
}

function readJsonConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read ${file}: ${(err as Error).message}`);
  }
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

/** `--a 1 --b=2 --flag` -> Map{a:'1', b:'2', flag:'true'}; positional arguments are refused. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
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
