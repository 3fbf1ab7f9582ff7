import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisBroker } from '../../src/redis/broker-redis.js';
import { loadConfig } from '../../src/index.js';
import { ConfigError } from '../../src/errors.js';
import { openBackends } from '../../src/platform/backends.js';
import { createLogger } from '../../src/logger.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import { RedisRoomStore } from '../../src/redis/room-store-redis.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const redis = await findRedis();
const logger = createLogger('silent');
after(stopSharedRedis);

describe('openBackends with Redis', () => {
  it('refuses an unparsable REDIS_URL at start, naming the key, before connecting anywhere', async () => {
    for (const bad of ['127.0.0.1:6379', 'http://localhost', 'redis://', 'redis://h/zero']) {
      const config = loadConfig({ env: { REDIS_URL: bad, BROKER: 'redis' } });
      await assert.rejects(
        openBackends(config, logger),
        (err: unknown) =>
          err instanceof ConfigError && err.key === 'redisUrl' && err.message.includes('redisUrl'),
        bad,
      );
    }
  });

  it(
    'opens the Redis store and broker, with the process index the store allocated',
    { skip: redis.skip },
    async () => {
      const prefix = uniquePrefix('backends');
      const config = loadConfig({
        env: { ROOM_STORE: 'redis', BROKER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix },
      });
      const { store, broker, processIndex } = await openBackends(config, logger);
      try {
        assert.ok(store instanceof RedisRoomStore);
        assert.ok(broker instanceof RedisBroker);
        assert.equal(processIndex, store.processIndex);
        assert.equal(broker.processIndex, processIndex);
      } finally {
        await Promise.all([store.close(), broker.close()]);
        await wipePrefix(redis.url ?? '', prefix);
      }
    },
  );

  it('gives a Redis broker over a local store its own process index too', { skip: redis.skip }, async () => {
    const prefix = uniquePrefix('backends');
    const config = loadConfig({ env: { BROKER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix } });
    const first = await openBackends(config, logger);
    const second = await openBackends(config, logger);
    try {
      assert.ok(first.store instanceof MemoryRoomStore);
      assert.notEqual(first.processIndex, undefined);
      assert.notEqual(first.processIndex, second.processIndex);
    } finally {
      await Promise.all([first, second].flatMap((b) => [b.store.close(), b.broker.close()]));
      await wipePrefix(redis.url ?? '', prefix);
    }
  });
});
