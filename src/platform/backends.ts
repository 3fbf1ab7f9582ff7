/**
 * Chooses the room store, broker, history and presence engines named by the configuration: the one place that knows every backend, each
 * loaded with a dynamic import only when configured, so a memory-only gateway never loads ioredis or nats. With a
 * Redis backend it also gives this process its deployment-wide index (connection ids derive from it), taken from
 * Redis so that processes on different machines never share one. With the NATS broker the index is the Redis
 * store's when the store is in Redis, else one the broker claims in a JetStream KV bucket.
 */
import { LocalBroker } from '../broker/broker-local.js';
import type { Broker } from '../broker/broker.js';
import { isClusterWorker } from '../cluster/worker.js';
import { engineOf, type GatewayConfig } from '../config/options.js';
import {
  memoryHistoryStore,
  type Backends,
  type BackendOpener,
  type GivenBackends,
} from '../gateway/backends.js';
import type { HistoryStore } from '../history/history-store.js';
import type { Logger } from '../logger.js';
import { MemoryPresenceStore } from '../presence/presence-store-memory.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { MemoryRoomStore } from '../store/room-store-memory.js';
import type { RoomStore } from '../store/room-store.js';
import type { ProcessIndex } from '../types.js';
import type { FileRoomStoreOptions } from '../file/index.js';

export type { Backends, GivenBackends };

/** What {@link openStoreAndBroker} opens: the backends without the engines. */
type StoreAndBroker = Omit<Backends, 'history' | 'presence'>;

/** Options of {@link openRoomStore}. */
export type RoomStoreOptions = { type: 'memory' } | ({ type: 'file' } & FileRoomStoreOptions);

/** Opens a local room store: memory, or a folder shared by the processes of one machine (loaded on demand). */
export async function openRoomStore(options: RoomStoreOptions = { type: 'memory' }): Promise<RoomStore> {
  switch (options.type) {
    case 'memory':
      return new MemoryRoomStore();
    case 'file': {
      const { type: _type, ...fileOptions } = options;
      const { FileRoomStore } = await import('../file/index.js');
      return FileRoomStore.open(fileOptions);
    }
    default: {
      const type: unknown = (options as { type: unknown }).type;
      const { ConfigError } = await import('../errors.js');
      throw new ConfigError('roomStore.type', `must be "memory" or "file", got ${JSON.stringify(type)}`);
    }
  }
}

/**
 * Opens the configured backends that `given` does not supply. Rejects with a ConfigError naming the key for a bad
 * `redisUrl`, `natsUrl` or `natsSubjectPrefix` (checked before anything connects), and with an Error when Redis or
 * NATS stays unreachable for 10 s at start.
 */
export const openBackends: BackendOpener = async (config, logger, given = {}) => {
  const opened = await openStoreAndBroker(config, logger, given);
  try {
    return { ...opened, ...(await openEngines(config, logger, given)) };
  } catch (err) {
    if (opened.broker !== given.broker) await opened.broker.close();
    if (opened.store !== given.store) await opened.store.close();
    throw err;
  }
};

/**
 * The history and presence engines: memory (in a cluster worker the caller gives the IPC ones, kept by the primary)
 * or Redis, loaded only then. Presence entries in Redis expire `nodeTtlMs` after their process stopped refreshing.
 */
async function openEngines(
  config: Readonly<GatewayConfig>,
  logger: Logger,
  given: GivenBackends,
): Promise<{ history: HistoryStore; presence: PresenceStore }> {
  const redisHistory = !given.history && engineOf(config, 'historyEngine') === 'redis';
  const redisPresence = !given.presence && engineOf(config, 'presenceEngine') === 'redis';
  if (!redisHistory && !redisPresence) {
    return {
      history: given.history ?? memoryHistoryStore(config),
      presence: given.presence ?? new MemoryPresenceStore(),
    };
  }
  const redis = await import('../redis/index.js');
  redis.parseRedisUrls(config.redisUrl);
  const common = {
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    logger: logger.child({ component: 'redis' }),
  };
  const history = redisHistory
    ? await redis.RedisHistoryStore.open({ ...common, metaTtlMs: config.historyMetaTtlMs })
    : (given.history ?? memoryHistoryStore(config));
  try {
    const presence = redisPresence
      ? await redis.RedisPresenceStore.open({ ...common, ttlMs: config.nodeTtlMs })
      : (given.presence ?? new MemoryPresenceStore());
    return { history, presence };
  } catch (err) {
    if (history !== given.history) await history.close();
    throw err;
  }
}

/** The room store and broker (and the process index when a backend allocates it). */
async function openStoreAndBroker(
  config: Readonly<GatewayConfig>,
  logger: Logger,
  given: GivenBackends,
): Promise<StoreAndBroker> {
  if (!given.broker && config.broker === 'nats') return openWithNats(config, logger, given);
  const redisStore = !given.store && config.roomStore === 'redis';
  const redisBroker = !given.broker && config.broker === 'redis';
  const openLocalStore = async (): Promise<RoomStore> =>
    given.store ??
    openRoomStore(
      config.roomStore === 'file'
        ? // A new single process holds no connection yet: anything on disk is stale (ids restart). Cluster workers
          // share the folder; their primary resets it once before forking them.
          { type: 'file', dir: config.roomStoreDir, reset: !isClusterWorker() }
        : { type: 'memory' },
    );
  if (!redisStore && !redisBroker) {
    return { store: await openLocalStore(), broker: given.broker ?? new LocalBroker(logger) };
  }
  const redis = await import('../redis/index.js');
  redis.parseRedisUrls(config.redisUrl);
  const redisLogger = logger.child({ component: 'redis' });
  const common = { url: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger: redisLogger };
  // Close only what this call opened when a later step fails.
  const closeOwnStore = async (store: RoomStore): Promise<void> => {
    if (store !== given.store) await store.close();
  };

  let store: RoomStore;
  let processIndex: ProcessIndex;
  if (redisStore) {
    const opened = await redis.RedisRoomStore.open({ ...common, nodeTtlMs: config.nodeTtlMs });
    store = opened;
    processIndex = opened.processIndex;
  } else {
    store = await openLocalStore();
    processIndex = await redis
      .allocateProcessIndexOnce({ ...common, nodeTtlMs: config.nodeTtlMs })
      .catch(async (err: unknown) => {
        await closeOwnStore(store);
        throw err;
      });
  }
  if (!redisBroker) return { store, broker: given.broker ?? new LocalBroker(logger), processIndex };
  try {
    const broker: Broker = await redis.RedisBroker.open({ ...common, processIndex });
    logger.info({ processIndex, store: config.roomStore, broker: 'redis' }, 'joined the redis deployment');
    return { store, broker, processIndex };
  } catch (err) {
    await closeOwnStore(store);
    throw err;
  }
}

/**
 * The store as configured (or given) and a NATS broker. The process index comes from a Redis store when there is
 * one (it already holds a deployment-unique, kept-alive index); otherwise the broker claims one in NATS.
 */
async function openWithNats(
  config: Readonly<GatewayConfig>,
  logger: Logger,
  given: GivenBackends,
): Promise<StoreAndBroker> {
  const nats = await import('../nats/index.js');
  nats.parseNatsUrls(config.natsUrl);
  nats.checkSubjectPrefix(config.natsSubjectPrefix);
  const { store } = await openStoreAndBroker({ ...config, broker: 'local' }, logger, { store: given.store });
  // A Redis room store already holds a deployment-unique, kept-alive index: the broker uses it.
  const storeIndex = (store as { processIndex?: unknown }).processIndex;
  try {
    const broker = await nats.NatsBroker.open({
      url: config.natsUrl,
      subjectPrefix: config.natsSubjectPrefix,
      ...(typeof storeIndex === 'number' ? { processIndex: storeIndex } : {}),
      claimTtlMs: config.nodeTtlMs,
      logger: logger.child({ component: 'nats' }),
    });
    logger.info(
      { processIndex: broker.processIndex, store: config.roomStore, broker: 'nats' },
      'joined the nats deployment',
    );
    return { store, broker, processIndex: broker.processIndex };
  } catch (err) {
    if (store !== given.store) await store.close();
    throw err;
  }
}
