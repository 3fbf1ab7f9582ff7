import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisBroker } from '../../src/redis/broker-redis.js';
import { loadConfig } from '../../src/index.js';
import { ConfigError } from '../../src/errors.js';
import { openBackends } from '../../src/platform/backends.js';
import { createLogger } from '../../src/logger.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import { RedisRoomStore } from '../../src/redis/room-store-redis.js';
import { RedisHistoryStore } from '../../src/redis/history-store-redis.js';
import { RedisPresenceStore } from '../../src/redis/presence-store-redis.js';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import { MemoryPresenceStore } from '../../src/presence/presence-store-memory.js';
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
    'opens the Redis store, broker, history and presence, with the process index the store allocated',
    { skip: redis.skip },
    async () => {
      const prefix = uniquePrefix('backends');
      const config = loadConfig({
        env: { ROOM_STORE: 'redis', BROKER: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix },
      });
      const { store, broker, processIndex, history, presence } = await openBackends(config, logger);
      try {
        assert.ok(store instanceof RedisRoomStore);
        assert.ok(broker instanceof RedisBroker);
        assert.ok(history instanceof RedisHistoryStore, 'historyEngine auto follows roomStore redis');
        assert.ok(presence instanceof RedisPresenceStore, 'presenceEngine auto follows roomStore redis');
        assert.equal(processIndex, store.processIndex);
        assert.equal(broker.processIndex, processIndex);
      } finally {
        await Promise.all([store.close(), broker.close(), history.close(), presence.close()]);
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
      assert.ok(first.history instanceof MemoryHistoryStore, 'historyEngine auto follows roomStore memory');
      assert.ok(first.presence instanceof MemoryPresenceStore);
      assert.notEqual(first.processIndex, undefined);
      assert.notEqual(first.processIndex, second.processIndex);
    } finally {
      await Promise.all(
        [first, second].flatMap((b) => [
          b.store.close(),
          b.broker.close(),
          b.history.close(),
          b.presence.close(),
        ]),
      );
      await wipePrefix(redis.url ?? '', prefix);
    }
  });

  it(
    'opens the engines the config names over any room store (HISTORY_ENGINE, PRESENCE_ENGINE)',
    { skip: redis.skip },
    async () => {
      const prefix = uniquePrefix('backends');
      const config = loadConfig({
        env: {
          HISTORY_ENGINE: 'redis',
          PRESENCE_ENGINE: 'memory',
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: prefix,
        },
      });
      const opened = await openBackends(config, logger);
      try {
        assert.ok(opened.store instanceof MemoryRoomStore);
        assert.ok(opened.history instanceof RedisHistoryStore);
        assert.ok(opened.presence instanceof MemoryPresenceStore);
      } finally {
        await Promise.all([
          opened.store.close(),
          opened.broker.close(),
          opened.history.close(),
          opened.presence.close(),
        ]);
        await wipePrefix(redis.url ?? '', prefix);
      }
    },
  );

  it('refuses an unknown engine at start, naming the key and the accepted values', () => {
    assert.throws(
      () => loadConfig({ env: { HISTORY_ENGINE: 'postgres' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /historyEngine/.test(err.message) &&
        /auto, memory, redis/.test(err.message),
    );
  });
});
