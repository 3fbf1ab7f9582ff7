/**
 * The options a running gateway may take new values of without a restart (`tars.loadconfig`): those it reads each
 * time it uses them. The config object stays frozen; {@link LiveSettings} hands out a frozen view whose live keys
 * read the current value, so every reader of `gateway.config.maxConnections` sees a change at its next use.
 */
import { ConfigError } from '../errors.js';
import type { GatewayConfig, OptionValue } from './options.js';

/**
 * Options read at use time. Not here, because they are read once at start: host, port, workers, backends and their
 * URLs, `maxRoomsPerConnection` (the hub), `maxFrameBytes` (the WebSocket server), `maxHttpConnections`,
 * `maxConnectionsPerAddress`, the HTTP timeouts (the listener), `heartbeatIntervalMs` (its timer),
 * `allowedOrigins` and `defaultProtocol` (parsed once), `nodeTtlMs` (the backends), `metrics` and `metricsToken`
 * (the /metrics route), the Centrifugo token keys, limits, `channelDefaults` and `namespaces` (the session settings).
 */
export const LIVE_KEYS = [
  // Also to be set on the gateway's logger by whoever applies the change (reloadGatewayConfig does).
  'logLevel',
  'pushToken',
  'pushObjToken',
  'apiKey',
  'maxConnections',
  // For connections opened after the change.
  'maxBufferedBytes',
  'maxPendingMessages',
  'maxQueuedMessages',
  'maxRoomNameLength',
  'maxMessageLength',
  'maxHttpBodyBytes',
  'drainMs',
  'shutdownGraceMs',
] as const satisfies readonly (keyof GatewayConfig)[];

export type LiveKey = (typeof LIVE_KEYS)[number];

/** Options whose values are never shown in answers and logs. */
const SECRET_KEYS: ReadonlySet<keyof GatewayConfig> = new Set(['pushToken', 'pushObjToken', 'apiKey']);

/** One option whose value differs between the running config and a new one. */
export interface ConfigChange {
  key: keyof GatewayConfig;
  from: OptionValue;
  to: OptionValue;
  /** True when the new value is in force now; false when it needs a restart (the old one stays). */
  live: boolean;
}

const registry = new WeakMap<object, LiveSettings>();

/** Resolves a gateway's config again with `file` in place of the config file of its kind. */
export type ConfigRereader = (file: string) => Readonly<GatewayConfig>;

/**
 * Holds the live values of one gateway config.
 * @example
 *   const settings = new LiveSettings(loadedConfig);
 *   const gateway = await Gateway.create(settings.config);
 *   settings.apply(newlyResolvedConfig); // -> [{ key: 'maxConnections', from: 100000, to: 5000, live: true }]
 */
export class LiveSettings {
  /** The frozen view to hand to the gateway: live keys read the current value, the others are fixed. */
  readonly config: Readonly<GatewayConfig>;
  readonly #values: Record<string, OptionValue>;
  readonly #reread: ConfigRereader | undefined;

  /** @param reread how to resolve the config again from its sources (loadConfig gives one). */
  constructor(initial: Readonly<GatewayConfig>, reread?: ConfigRereader) {
    this.#reread = reread;
    const values: Record<string, OptionValue> = { ...initial };
    this.#values = values;
    const view: Record<string, unknown> = { ...initial };
    for (const key of LIVE_KEYS) {
      Object.defineProperty(view, key, { enumerable: true, get: () => values[key] });
    }
    this.config = Object.freeze(view) as unknown as Readonly<GatewayConfig>;
    registry.set(this.config, this);
  }

  /** The settings behind a view made by a LiveSettings; undefined for any other config object. */
  static of(config: Readonly<GatewayConfig>): LiveSettings | undefined {
    return registry.get(config);
  }

  /**
   * The config its sources give now, with `file` read in place of the config file of its kind.
   * @throws ConfigError when these settings have no sources to read (not made by loadConfig), or for a bad value.
   */
  reread(file: string): Readonly<GatewayConfig> {
    if (this.#reread === undefined) {
      throw new ConfigError(
        'config',
        'this config was not made by loadConfig(): there are no sources to read again',
      );
    }
    return this.#reread(file);
  }

  /**
   * Compares `next` with what is in force: takes the new value of every live key that changed, keeps the old one of
   * the others, and lists both kinds.
   */
  apply(next: Readonly<GatewayConfig>): ConfigChange[] {
    const live: ReadonlySet<string> = new Set(LIVE_KEYS);
    const changes: ConfigChange[] = [];
    for (const key of Object.keys(this.#values) as (keyof GatewayConfig)[]) {
      const from = this.#values[key] as OptionValue;
      const to = next[key];
      if (to === undefined || sameValue(to, from)) continue;
      const isLive = live.has(key);
      changes.push({ key, from, to, live: isLive });
      if (isLive) this.#values[key] = to;
    }
    return changes;
  }
}

/** Structured options (namespaces) compare by content: a file read again gives equal values, not the same objects. */
function sameValue(a: OptionValue, b: OptionValue): boolean {
  return (
    a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b))
  );
}

/** `maxConnections 100000 -> 5000`; a secret shows as `pushToken (changed)`. */
export function formatChange(change: ConfigChange): string {
  if (SECRET_KEYS.has(change.key)) return `${change.key} (changed)`;
  return `${change.key} ${JSON.stringify(change.from)} -> ${JSON.stringify(change.to)}`;
}

/** One line for a list of changes: what is in force now, what needs a restart. */
export function describeChanges(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'nothing changed';
  const live = changes.filter((c) => c.live).map(formatChange);
  const later = changes.filter((c) => !c.live).map(formatChange);
  const parts: string[] = [];
  if (live.length > 0) parts.push(`applied: ${live.join(', ')}`);
  if (later.length > 0) parts.push(`needs a restart (not applied): ${later.join(', ')}`);
  return parts.join('; ');
}
