import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { EngineUnavailableError } from '../../src/errors.js';
import { RedisPresenceStore } from '../../src/redis/presence-store-redis.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { eventually } from '../support/eventually.js';
import { presenceStoreConformance } from '../support/presence-store-conformance.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
} from '../support/redis-server.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Redis presence store tests: ${redis.skip}`);
const url = redis.url ?? '';
const silent = { info() {}, warn() {} };
after(stopSharedRedis);

if (!redis.skip) {
  presenceStoreConformance('redis (two stores on one Redis)', async () => {
    const keyPrefix = uniquePrefix('presence');
    const store = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 1000 });
    const peer = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 1000 });
    return {
      store,
      peer,
      // close() stops the heartbeat and leaves the entries: what a killed process leaves behind.
      killPeer: () => peer.close(),
      expiryWithinMs: 5000,
      cleanup: () => wipePrefix(url, keyPrefix),
    };
  });
}

const noServer = hasRedisServerBinary()
  ? false
  : 'no redis-server binary to start and kill a Redis of its own';

describeOrSkip('RedisPresenceStore', { skip: redis.skip || noServer }, () => {
  it('keeps a live process entries past ttlMs: its heartbeat refreshes them', async () => {
    const keyPrefix = uniquePrefix('presence-live');
    const store = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 1000 });
    try {
      await store.add('ch', 'c1', { user: 'u1', client: 'c1' });
      const start = Date.now();
      // Three TTLs of checks: each one would have seen the entry gone without the heartbeat.
      await eventually(
        async () => ({ age: Date.now() - start, n: Object.keys(await store.get('ch')).length }),
        (v) => v.n !== 1 || v.age > 3000,
        { withinMs: 6000, what: 'three TTLs passed' },
      ).then((v) => assert.equal(v.n, 1, 'the entry was dropped although its process lives'));
    } finally {
      await store.close();
      await wipePrefix(url, keyPrefix);
    }
  });

  it('rejects with EngineUnavailableError while Redis is down, and re-adds its entries once Redis is back empty', async () => {
    const server = await SpawnedRedis.start();
    const store = await RedisPresenceStore.open({ url: server.url, logger: silent, ttlMs: 1000 });
    try {
      await store.add('ch', 'c1', { user: 'u1', client: 'c1' });
      await server.kill();
      await eventually(
        () => store.connected,
        (c) => !c,
        { what: 'store disconnected' },
      );
      const failed = await store.get('ch').catch((e: unknown) => e);
      assert.ok(failed instanceof EngineUnavailableError && failed.engine === 'presence', String(failed));
      await assert.rejects(store.add('ch', 'c2', { user: 'u2', client: 'c2' }), EngineUnavailableError);
      await server.restart();
      await eventually(
        () => store.get('ch').catch(() => ({})),
        (e) => Object.keys(e).length === 2,
        {
          withinMs: 5000,
          what: 'both entries back after the restart',
        },
      );
      assert.deepEqual(await store.stats('ch'), { numClients: 2, numUsers: 2 });
    } finally {
      await store.close();
      await server.kill();
    }
  });
});
