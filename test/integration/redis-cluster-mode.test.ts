/**
 * The Redis backends on a real Redis Cluster (three masters started for this file): the room store, broker, history
 * and presence conformance suites (history and presence keys spread over the shards by their channel hash tag), cluster detection from one seed URL, and two gateway nodes working through the cluster.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { Cluster } from 'ioredis';
import { RedisBroker } from '../../src/redis/broker-redis.js';
import { RedisHistoryStore } from '../../src/redis/history-store-redis.js';
import { RedisPresenceStore } from '../../src/redis/presence-store-redis.js';
import { historyStoreConformance } from '../support/history-store-conformance.js';
import { presenceStoreConformance } from '../support/presence-store-conformance.js';
import { RedisRoomStore } from '../../src/redis/room-store-redis.js';
import { brokerConformance } from '../support/broker-conformance.js';
import { TestClient } from '../support/gateway.js';
import { GatewayNode } from '../support/node-process.js';
import { SpawnedRedisCluster, uniquePrefix } from '../support/redis-server.js';
import { roomStoreConformance } from '../support/room-store-conformance.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const silent = { info() {}, warn() {} };
let skip = SpawnedRedisCluster.unavailable();
let cluster: SpawnedRedisCluster | undefined;
if (!skip) {
  try {
    cluster = await SpawnedRedisCluster.start(3);
  } catch (err) {
    skip = `could not start a Redis Cluster: ${(err as Error).message}`;
  }
}
if (skip) console.log(`# skipping Redis Cluster tests: ${skip}`);
after(() => cluster?.stop());
const url = cluster?.url ?? '';

if (cluster) {
  // Every test has its own prefix on a cluster that lives only for this file: nothing to wipe.
  roomStoreConformance('redis cluster', async () => {
    const store = await RedisRoomStore.open({
      url,
      keyPrefix: uniquePrefix('c'),
      logger: silent,
      processIndex: 0,
    });
    return { store, cleanup: async () => {} };
  });
  historyStoreConformance('redis cluster', async () => {
    const keyPrefix = uniquePrefix('ch');
    const store = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
    const peer = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
    const raw = new Cluster([{ host: '127.0.0.1', port: Number(new URL(url).port) }]);
    return {
      store,
      peer,
      // One DEL per key: the two keys share the channel's slot, but a plain client need not know that.
      lose: async (channel) => {
        await raw.del(store.keys.historyMeta(channel));
        await raw.del(store.keys.historyStream(channel));
      },
      cleanup: async () => void raw.disconnect(),
    };
  });
  presenceStoreConformance('redis cluster', async () => {
    const keyPrefix = uniquePrefix('cp');
    const store = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 1000 });
    const peer = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 1000 });
    return { store, peer, killPeer: () => peer.close(), expiryWithinMs: 5000, cleanup: async () => {} };
  });
  brokerConformance('redis cluster, sharded pub/sub', async () => {
    const keyPrefix = uniquePrefix('cb');
    return {
      open: (processIndex) => RedisBroker.open({ url, keyPrefix, processIndex, logger: silent }),
      cleanup: async () => {},
    };
  });
}

describeOrSkip('Redis Cluster', { skip }, () => {
  it('is detected from one node URL: store keys share one hash slot, the broker uses sharded pub/sub', async () => {
    const store = await RedisRoomStore.open({ url, keyPrefix: 'detect:', logger: silent });
    const broker = await RedisBroker.open({ url, keyPrefix: 'detect:', processIndex: store.processIndex });
    try {
      assert.equal(store.keys.prefix, '{detect:}');
      assert.equal(broker.sharded, true);
    } finally {
      await Promise.all([store.close(), broker.close()]);
    }
  });

  it('carries room sends between two gateway nodes and counts members across them', async () => {
    const prefix = uniquePrefix('nodes');
    const env = { ROOM_STORE: 'redis', BROKER: 'redis', REDIS_URL: url, REDIS_KEY_PREFIX: prefix };
    const nodes = await Promise.all([GatewayNode.start(env), GatewayNode.start(env)]);
    const observer = await RedisRoomStore.open({ url, keyPrefix: prefix, logger: silent });
    const clients: TestClient[] = [];
    try {
      for (const node of nodes) {
        const client = await TestClient.open(node.wsUrl);
        clients.push(client);
        await client.subscribe('r');
      }
      assert.equal(await observer.count('r'), 2);
      const got = clients[1]!.waitFor('across the cluster');
      await clients[0]!.request('sendByRoom|{"roomNum":"r","message":"across the cluster"}');
      await got;
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(nodes.map((n) => n.stop()));
      await observer.close();
    }
  });
});
