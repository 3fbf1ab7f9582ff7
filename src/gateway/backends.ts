/**
 * How a gateway gets its room store, broker, history and presence engines from the config. The core opens only its own defaults (memory store,
 * local broker); the composition layer (src/platform/backends.ts) installs an opener that knows every backend and
 * loads each only when the config names it. The package entry installs it, so `Gateway.create` from `tars-ws`
 * opens whatever the config says.
 */
import type { Broker } from '../broker/broker.js';
import { LocalBroker } from '../broker/broker-local.js';
import { engineOf, type GatewayConfig } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { MemoryHistoryStore } from '../history/history-store-memory.js';
import type { HistoryStore } from '../history/history-store.js';
import type { Logger } from '../logger.js';
import { MemoryPresenceStore } from '../presence/presence-store-memory.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { MemoryRoomStore } from '../store/room-store-memory.js';
import type { RoomStore } from '../store/room-store.js';
import type { ProcessIndex } from '../types.js';

export interface Backends {
  store: RoomStore;
  broker: Broker;
  /** Channel histories (`historyEngine`). */
  history: HistoryStore;
  /** Channel presence (`presenceEngine`). */
  presence: PresenceStore;
  /** Set when the backend allocates this process's index (e.g. a shared Redis counter). */
  processIndex?: ProcessIndex;
}

/** Backends the caller already has; only the missing ones are opened. */
export interface GivenBackends {
  store?: RoomStore | undefined;
  broker?: Broker | undefined;
  history?: HistoryStore | undefined;
  presence?: PresenceStore | undefined;
}

/** The memory history store a config describes (`historyMetaTtlMs`, `historyMaxChannels`). */
export function memoryHistoryStore(config: Readonly<GatewayConfig>): MemoryHistoryStore {
  return new MemoryHistoryStore({
    metaTtlMs: config.historyMetaTtlMs,
    maxChannels: config.historyMaxChannels,
  });
}

export type BackendOpener = (
  config: Readonly<GatewayConfig>,
  logger: Logger,
  given?: GivenBackends,
) => Promise<Backends>;

/** The core's opener: memory store and local broker; any other backend needs the composition layer's opener. */
export const openCoreBackends: BackendOpener = async (config, logger, given = {}) => {
  if (!given.store && config.roomStore !== 'memory') {
    throw new ConfigError(
      'roomStore',
      `"${config.roomStore}" needs the backends of the package entry: import { Gateway } from 'tars-ws'`,
    );
  }
  if (!given.broker && config.broker !== 'local') {
    throw new ConfigError(
      'broker',
      `"${config.broker}" needs the backends of the package entry: import { Gateway } from 'tars-ws'`,
    );
  }
  for (const key of ['historyEngine', 'presenceEngine'] as const) {
    const engine = key === 'historyEngine' ? given.history : given.presence;
    if (!engine && engineOf(config, key) !== 'memory') {
      throw new ConfigError(
        key,
        `"redis" needs the backends of the package entry: import { Gateway } from 'tars-ws'`,
      );
    }
  }
  return {
    store: given.store ?? new MemoryRoomStore(),
    broker: given.broker ?? new LocalBroker(logger),
    history: given.history ?? memoryHistoryStore(config),
    presence: given.presence ?? new MemoryPresenceStore(),
  };
};
