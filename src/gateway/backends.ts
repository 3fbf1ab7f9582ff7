/**
 * Chooses the room store and broker named by the configuration. The one place that knows every backend, so the
 * gateway itself only sees the RoomStore and Broker interfaces. With a Redis backend it also gives this process
 * its deployment-wide index (connection ids derive from it), taken from Redis so that processes on different
 * machines never share one. With the NATS broker the index is the Redis store's when the store is in Redis,
 * else one the broker claims in a JetStream KV bucket.
 */
import { LocalBroker } from '../broker/broker-local.js';
import { NatsBroker } from '../broker/broker-nats.js';
import { RedisBroker } from '../broker/broker-redis.js';
import type { Broker } from '../broker/broker.js';
import { isClusterWorker } from '../cluster/worker.js';
import type { GatewayConfig } from '../config/options.js';
import type { Logger } from '../logger.js';
import { checkSubjectPrefix, parseNatsUrls } from '../nats/nats-client.js';
import { clusterKeyPrefix, RedisKeys } from '../redis/keys.js';
import { allocateProcessIndex, newProcessToken } from '../redis/process-index.js';
import { closeRedis, connectRedis, isCluster, parseRedisUrls } from '../redis/redis-client.js';
import { openRoomStore } from '../store/index.js';
import { RedisRoomStore } from '../store/room-store-redis.js';
import type { RoomStore } from '../store/room-store.js';
import type { ProcessIndex } from '../types.js';

export interface Backends {
  store: RoomStore;
  broker: Broker;
  /** Set when the backend allocates this process's index (e.g. a shared Redis counter). */
  processIndex?: ProcessIndex;
}

/** Backends the caller already has; only the missing ones are opened. */
export interface GivenBackends {
  store?: RoomStore | undefined;
  broker?: Broker | undefined;
}

/**
 * Opens the configured backends that `given` does not supply. Rejects with a ConfigError naming the key for a bad
 * `redisUrl`, `natsUrl` or `natsSubjectPrefix` (checked before anything connects), and with an Error when Redis or
 * NATS stays unreachable for 10 s at start.
 */
export async function openBackends(
  config: Readonly<GatewayConfig>,
  logger: Logger,
  given: GivenBackends = {},
): Promise<Backends> {
  const redisStore = !given.store && config.roomStore === 'redis';
  const redisBroker = !given.broker && config.broker === 'redis';
  if (!given.broker && config.broker === 'nats') return openWithNats(config, logger, given);
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
    return { store: await openLocalStore(), broker: given.broker ?? new LocalBroker() };
  }
  parseRedisUrls(config.redisUrl);
  const url = config.redisUrl;
  const redisLogger = logger.child({ component: 'redis' });
  const common = { url, keyPrefix: config.redisKeyPrefix, logger: redisLogger };
  // Close only what this call opened when a later step fails.
  const closeOwnStore = async (store: RoomStore): Promise<void> => {
    if (store !== given.store) await store.close();
  };

  let store: RoomStore;
  let processIndex: ProcessIndex;
  if (redisStore) {
    const opened = await RedisRoomStore.open({ ...common, nodeTtlMs: config.nodeTtlMs });
    store = opened;
    processIndex = opened.processIndex;
  } else {
    store = await openLocalStore();
    processIndex = await allocateOnce(url, config, redisLogger).catch(async (err: unknown) => {
      await closeOwnStore(store);
      throw err;
    });
  }
  if (!redisBroker) return { store, broker: given.broker ?? new LocalBroker(), processIndex };
  try {
    const broker = await RedisBroker.open({ ...common, processIndex });
    logger.info({ processIndex, store: config.roomStore, broker: 'redis' }, 'joined the redis deployment');
    return { store, broker, processIndex };
  } catch (err) {
    await closeOwnStore(store);
    throw err;
  }
}

/** An index for a process whose store is not in Redis: one short connection; nothing keeps the claim alive. */
async function allocateOnce(
  url: string,
  config: Readonly<GatewayConfig>,
  logger: Logger,
): Promise<ProcessIndex> {
  const client = await connectRedis({ url, name: `${config.redisKeyPrefix}allocate`, logger });
  try {
    // The same keys as a Redis store would use, so indexes never collide whichever backends a process runs.
    const prefix = isCluster(client) ? clusterKeyPrefix(config.redisKeyPrefix) : config.redisKeyPrefix;
    return await allocateProcessIndex(client, new RedisKeys(prefix), config.nodeTtlMs, newProcessToken());
  } finally {
    await closeRedis(client);
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
): Promise<Backends> {
  parseNatsUrls(config.natsUrl);
  checkSubjectPrefix(config.natsSubjectPrefix);
  const { store } = await openBackends({ ...config, broker: 'local' }, logger, { store: given.store });
  try {
    const broker = await NatsBroker.open({
      url: config.natsUrl,
      subjectPrefix: config.natsSubjectPrefix,
      ...(store instanceof RedisRoomStore ? { processIndex: store.processIndex } : {}),
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
