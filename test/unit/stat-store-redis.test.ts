import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisStatStore } from '../../src/redis/stat-store-redis.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';
import { statStoreConformance } from '../support/stat-store-conformance.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Redis stat store tests: ${redis.skip}`);
const url = redis.url ?? '';
const silent = { info() {}, warn() {} };
after(stopSharedRedis);

if (!redis.skip) {
  statStoreConformance('redis', async () => {
    const prefix = uniquePrefix('stats');
    const store = await RedisStatStore.open({ url, keyPrefix: prefix, logger: silent });
    return { store, cleanup: () => wipePrefix(url, prefix) };
  });
}

describeOrSkip('RedisStatStore', { skip: redis.skip }, () => {
  it('writes its keys under the prefix only', async () => {
    const prefix = uniquePrefix('stats-prefix');
    const store = await RedisStatStore.open({ url, keyPrefix: prefix, logger: silent });
    const raw = new Redis(url);
    try {
      await store.incrField('ws\t0\tping', 'count');
      assert.deepEqual(await raw.keys(`${prefix}*`), [`${prefix}ws\t0\tping`]);
      assert.deepEqual(await raw.hgetall(`${prefix}ws\t0\tping`), { count: '1' });
    } finally {
      raw.disconnect();
      await store.close();
      await wipePrefix(url, prefix);
    }
  });

  it('rejects and counts a command while Redis is unreachable, without crashing', async () => {
    // A client on a closed port: commands fail at once (no offline queue).
    const client = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    const warnings: string[] = [];
    const store = new RedisStatStore(client, 'x:', { info() {}, warn: (_d, m) => void warnings.push(m) });
    await assert.rejects(store.merge('k', { count: 1 }));
    await assert.rejects(store.keys());
    assert.equal(store.errors, 2);
    assert.deepEqual(warnings, ['stat store command failed']); // rate-limited: one line for the burst
    client.disconnect();
  });
});
