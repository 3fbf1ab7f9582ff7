import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { Redis } from 'ioredis';
import { EngineUnavailableError, ErrorCode } from '../../src/errors.js';
import { RedisHistoryStore } from '../../src/redis/history-store-redis.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { eventually } from '../support/eventually.js';
import { historyStoreConformance } from '../support/history-store-conformance.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
} from '../support/redis-server.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Redis history store tests: ${redis.skip}`);
const url = redis.url ?? '';
const silent = { info() {}, warn() {} };
after(stopSharedRedis);

if (!redis.skip) {
  historyStoreConformance('redis (two stores on one Redis)', async () => {
    const keyPrefix = uniquePrefix('history');
    const store = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
    const peer = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
    const raw = new Redis(url);
    return {
      store,
      peer,
      // What an eviction or a Redis restarted empty leaves: neither the stream nor its position.
      lose: async (channel) =>
        void (await raw.del(store.keys.historyMeta(channel), store.keys.historyStream(channel))),
      cleanup: async () => {
        raw.disconnect();
        await wipePrefix(url, keyPrefix);
      },
    };
  });
}

const noServer = hasRedisServerBinary()
  ? false
  : 'no redis-server binary to start and kill a Redis of its own';

describeOrSkip('RedisHistoryStore when Redis goes away', { skip: redis.skip || noServer }, () => {
  it('rejects appends and reads with EngineUnavailableError while Redis is down, and works again once it is back', async () => {
    const server = await SpawnedRedis.start();
    const store = await RedisHistoryStore.open({ url: server.url, logger: silent });
    try {
      const before = await store.append('ch', { data: '1' }, { size: 10, ttlMs: 60_000 });
      await server.kill();
      await eventually(
        () => store.connected,
        (c) => !c,
        { what: 'store disconnected' },
      );
      const failed = await store
        .append('ch', { data: '2' }, { size: 10, ttlMs: 60_000 })
        .catch((e: unknown) => e);
      assert.ok(failed instanceof EngineUnavailableError, String(failed));
      assert.equal(failed.code, ErrorCode.Upstream);
      assert.equal(failed.engine, 'history');
      await assert.rejects(store.read('ch'), EngineUnavailableError);
      assert.ok(store.counters.failures >= 2);
      await server.restart();
      // Restarted empty: a new epoch, offsets from 1 (recovery from the old epoch will say recovered: false).
      const after = await eventually(
        () => store.append('ch', { data: '3' }, { size: 10, ttlMs: 60_000 }),
        () => true,
        { what: 'append accepted again' },
      );
      assert.equal(after.offset, 1);
      assert.notEqual(after.epoch, before.epoch);
    } finally {
      await store.close();
      await server.kill();
    }
  });
});

describeOrSkip('RedisHistoryStore keys', { skip: redis.skip }, () => {
  it('tags every key of a channel with the channel, so a cluster keeps them in one slot', async () => {
    const keyPrefix = uniquePrefix('history-keys');
    const store = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
    try {
      await store.append('chat:1', { data: '1', idempotencyKey: 'k' }, { size: 10, ttlMs: 60_000 });
      const raw = new Redis(url);
      const keys = (await raw.keys(`${keyPrefix}*`)).sort();
      raw.disconnect();
      assert.deepEqual(keys, [
        `${keyPrefix}history:{chat:1}:idem:k`,
        `${keyPrefix}history:{chat:1}:meta`,
        `${keyPrefix}history:{chat:1}:stream`,
      ]);
    } finally {
      await store.close();
      await wipePrefix(url, keyPrefix);
    }
  });

  it('sets the stream TTL to ttlMs and the position TTL to metaTtlMs on every append, and trims exactly', async () => {
    const keyPrefix = uniquePrefix('history-ttl');
    const store = await RedisHistoryStore.open({ url, keyPrefix, logger: silent, metaTtlMs: 120_000 });
    const raw = new Redis(url);
    try {
      for (let n = 0; n < 5; n++) await store.append('ch', { data: String(n) }, { size: 3, ttlMs: 30_000 });
      const streamTtl = await raw.pttl(store.keys.historyStream('ch'));
      const metaTtl = await raw.pttl(store.keys.historyMeta('ch'));
      assert.ok(streamTtl > 25_000 && streamTtl <= 30_000, `stream PTTL ${streamTtl}`);
      assert.ok(metaTtl > 115_000 && metaTtl <= 120_000, `meta PTTL ${metaTtl}`);
      assert.equal(await raw.xlen(store.keys.historyStream('ch')), 3);
    } finally {
      raw.disconnect();
      await store.close();
      await wipePrefix(url, keyPrefix);
    }
  });
});
