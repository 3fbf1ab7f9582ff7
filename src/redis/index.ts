/**
 * The Redis backend (`tars-ws/redis`): room store, broker, history and presence engines and stat store over one Redis or a Redis Cluster, and the
 * deployment-wide process index. Loaded only when a config names Redis, so other deployments never load ioredis.
 */
import { clusterKeyPrefix, RedisKeys } from './keys.js';
import { allocateProcessIndex, newProcessToken } from './process-index.js';
import { closeRedis, connectRedis, isCluster, type RedisLogger } from './redis-client.js';
import type { ProcessIndex } from '../types.js';

export { RedisRoomStore, type RedisRoomStoreOptions, type RedisRoomStoreStats } from './room-store-redis.js';
export { RedisBroker, type RedisBrokerOptions } from './broker-redis.js';
export { RedisHistoryStore, type RedisHistoryStoreOptions } from './history-store-redis.js';
export { RedisPresenceStore, type RedisPresenceStoreOptions } from './presence-store-redis.js';
export { RedisStatStore, type RedisStatStoreOptions } from './stat-store-redis.js';
export { parseRedisUrls, checkRedisUrl, redactUrl, type RedisLogger } from './redis-client.js';

/**
 * An index for a process whose room store is not in Redis: one short connection; nothing keeps the claim alive.
 * It uses the same keys as a Redis store would, so indexes never collide whichever backends a process runs.
 */
export async function allocateProcessIndexOnce(options: {
  url: string;
  keyPrefix: string;
  nodeTtlMs: number;
  logger: RedisLogger;
}): Promise<ProcessIndex> {
  const client = await connectRedis({
    url: options.url,
    name: `${options.keyPrefix}allocate`,
    logger: options.logger,
  });
  try {
    const prefix = isCluster(client) ? clusterKeyPrefix(options.keyPrefix) : options.keyPrefix;
    return await allocateProcessIndex(client, new RedisKeys(prefix), options.nodeTtlMs, newProcessToken());
  } finally {
    await closeRedis(client);
  }
}
export { RedisAdminCluster, type RedisAdminClusterOptions } from './admin-cluster-redis.js';
