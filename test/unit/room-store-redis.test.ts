import assert from 'node:assert/strict';
import { after, afterEach, it } from 'node:test';
import { ConfigError, ErrorCode, GatewayError } from '../../src/errors.js';
import { RedisRoomStore, type RedisRoomStoreOptions } from '../../src/redis/room-store-redis.js';
import type { MembershipSource } from '../../src/store/room-store.js';
import { connIdBase, type ConnId, type RoomId } from '../../src/types.js';
import { eventually } from '../support/eventually.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
} from '../support/redis-server.js';
import { roomStoreConformance } from '../support/room-store-conformance.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Redis room store tests: ${redis.skip}`);
const url = redis.url ?? '';
const silent = { info() {}, warn() {} };
after(stopSharedRedis);

if (!redis.skip) {
  roomStoreConformance('redis', async () => {
    const prefix = uniquePrefix('conformance');
    const store = await RedisRoomStore.open({ url, keyPrefix: prefix, logger: silent, processIndex: 0 });
    return { store, cleanup: () => wipePrefix(url, prefix) };
  });
}

/** The gateway's side of `attach`: a list of memberships the test can change. */
class Memberships implements MembershipSource {
  readonly pairs = new Set<string>();
  add(room: RoomId, conn: ConnId): void {
    this.pairs.add(JSON.stringify([room, conn]));
  }
  *localMemberships(): IterableIterator<[RoomId, ConnId]> {
    for (const pair of this.pairs) yield JSON.parse(pair) as [RoomId, ConnId];
  }
}

describeOrSkip('RedisRoomStore', { skip: redis.skip }, () => {
  const prefix = uniquePrefix('store');
  const open: RedisRoomStore[] = [];
  async function openStore(options: Partial<RedisRoomStoreOptions> = {}): Promise<RedisRoomStore> {
    const store = await RedisRoomStore.open({
      url,
      keyPrefix: prefix,
      logger: silent,
      nodeTtlMs: 1000,
      ...options,
    });
    open.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await wipePrefix(url, prefix);
  });

  it('gives every process of a deployment its own index', async () => {
    const stores = await Promise.all([openStore(), openStore(), openStore()]);
    const indexes = new Set(stores.map((s) => s.processIndex));
    assert.equal(indexes.size, 3);
    for (const i of indexes) assert.ok(i >= 1);
  });

  it('shows the memberships of every process to every process', async () => {
    const [a, b] = await Promise.all([openStore(), openStore()]);
    await a.add('room1', connIdBase(a.processIndex) + 1);
    await b.add('room1', connIdBase(b.processIndex) + 1);
    assert.equal(await a.count('room1'), 2);
    assert.deepEqual(
      (await b.members('room1')).sort((x, y) => x - y),
      [connIdBase(a.processIndex) + 1, connIdBase(b.processIndex) + 1].sort((x, y) => x - y),
    );
  });

  it('removes the memberships of a process whose liveness is gone, and keeps those of live processes', async () => {
    const [gone, alive, sweeper] = await Promise.all([openStore(), openStore(), openStore()]);
    await gone.add('room1', connIdBase(gone.processIndex) + 1);
    await gone.add('room2', connIdBase(gone.processIndex) + 1);
    await alive.add('room1', connIdBase(alive.processIndex) + 1);
    await gone.close(); // deletes its liveness key and leaves its memberships, like a process that stopped refreshing
    await sweeper.sweep();
    assert.deepEqual(await sweeper.members('room1'), [connIdBase(alive.processIndex) + 1]);
    assert.deepEqual(await sweeper.rooms(), ['room1']);
  });

  it('sweeps a dead process that held more connections than one sweep batch', async () => {
    const [gone, sweeper] = await Promise.all([openStore(), openStore()]);
    const base = connIdBase(gone.processIndex);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => gone.add(`room-${i % 7}`, base + i + 1)));
    await gone.close();
    await sweeper.sweep();
    assert.deepEqual(await sweeper.rooms(), []);
    assert.equal(await sweeper.count('room-0'), 0);
  });

  it('removes them by itself once the liveness key expires', async () => {
    const [dying, watcher] = await Promise.all([openStore(), openStore()]);
    await dying.add('room1', connIdBase(dying.processIndex) + 7);
    await dying.close();
    await eventually(
      () => watcher.count('room1'),
      (n) => n === 0,
      { what: 'room1 emptied by the sweeper' },
    );
  });

  it('registers its memberships again when Redis lost them', async () => {
    const store = await openStore();
    const source = new Memberships();
    store.attach(source);
    const conn = connIdBase(store.processIndex) + 1;
    source.add('room1', conn);
    source.add('room2', conn);
    await store.add('room1', conn);
    await store.add('room2', conn);
    await wipePrefix(url, prefix); // what a restarted, empty Redis looks like
    await eventually(
      () => store.count('room2'),
      (n) => n === 1,
      { what: 'room2 registered again' },
    );
    assert.deepEqual((await store.roomsOf(conn)).sort(), ['room1', 'room2']);
    assert.ok(store.stats.resyncs >= 1);
  });

  it('drops on re-registration the memberships of connections that closed meanwhile', async () => {
    const store = await openStore();
    const source = new Memberships();
    store.attach(source);
    const base = connIdBase(store.processIndex);
    source.add('room1', base + 1);
    await store.add('room1', base + 1);
    await store.add('room1', base + 2); // base + 2 closed while Redis was away: the source no longer has it
    await store.resync();
    assert.deepEqual(await store.members('room1'), [base + 1]);
  });

  it('refuses a URL that is not redis://, naming the key', async () => {
    for (const bad of ['not a url', 'http://127.0.0.1:6379', 'redis://127.0.0.1:6379/x']) {
      await assert.rejects(
        RedisRoomStore.open({ url: bad }),
        (err: unknown) => err instanceof ConfigError && err.key === 'redisUrl',
      );
    }
  });
});

describeOrSkip(
  'RedisRoomStore across a Redis restart',
  { skip: redis.skip ?? (hasRedisServerBinary() ? undefined : 'no redis-server binary') },
  () => {
    it('fails fast with UPSTREAM_ERROR while Redis is down and registers its memberships again when it is back', async () => {
      const server = await SpawnedRedis.start();
      const store = await RedisRoomStore.open({ url: server.url, logger: silent, nodeTtlMs: 1000 });
      try {
        const source = new Memberships();
        store.attach(source);
        const conn = connIdBase(store.processIndex) + 1;
        source.add('room1', conn);
        await store.add('room1', conn);
        await server.kill();
        await eventually(
          () => store.connected,
          (up) => !up,
          { what: 'store disconnected' },
        );
        await assert.rejects(
          store.count('room1'),
          (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.Upstream,
        );
        await server.restart();
        await eventually(
          () => store.count('room1'),
          (n) => n === 1,
          { what: 'room1 registered again' },
        );
      } finally {
        await store.close();
        await server.kill();
      }
    });
  },
);
