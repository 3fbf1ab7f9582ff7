/**
 * Several gateway nodes, each its own process on its own port, behaving as one through Redis (room store and
 * broker): clients spread over the nodes, pushes from any node, counts from the shared store, a node killed with
 * SIGKILL, and Redis itself restarted in the middle of traffic.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { RedisRoomStore } from '../../src/redis/room-store-redis.js';
import { eventually } from '../support/eventually.js';
import { TestClient } from '../support/gateway.js';
import { GatewayNode, type NodeEnv } from '../support/node-process.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
} from '../support/redis-server.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping multi-node Redis tests: ${redis.skip}`);
const silent = { info() {}, warn() {} };
const NODE_TTL_MS = 1500;
after(stopSharedRedis);

function redisEnv(url: string, prefix: string): NodeEnv {
  return {
    ROOM_STORE: 'redis',
    BROKER: 'redis',
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    NODE_TTL_MS: String(NODE_TTL_MS),
  };
}

/** GET on the push API of a node; resolves the status. */
async function push(node: GatewayNode, path: string): Promise<number> {
  const res = await fetch(`${node.url}${path}`);
  await res.text();
  return res.status;
}

/** Clients that a test opens, closed at its end. */
class Clients {
  readonly #open: TestClient[] = [];
  async on(node: GatewayNode, ...rooms: string[]): Promise<TestClient> {
    const client = await TestClient.open(node.wsUrl);
    this.#open.push(client);
    for (const room of rooms) await client.subscribe(room);
    return client;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((c) => c.close()));
  }
}

describeOrSkip('three gateway nodes over Redis', { skip: redis.skip }, () => {
  const url = redis.url ?? '';
  const prefix = uniquePrefix('nodes');
  let nodes: GatewayNode[] = [];
  let observer: RedisRoomStore;
  const clients = new Clients();
  const node = (i: number): GatewayNode => nodes[i]!;

  before(async () => {
    nodes = await Promise.all([0, 1, 2].map(() => GatewayNode.start(redisEnv(url, prefix))));
    observer = await RedisRoomStore.open({ url, keyPrefix: prefix, logger: silent, nodeTtlMs: NODE_TTL_MS });
  });
  after(async () => {
    await clients.closeAll();
    await Promise.all(nodes.map((n) => n.stop()));
    await observer?.close();
    await wipePrefix(url, prefix);
  });

  it('gives each node its own process index', () => {
    assert.equal(new Set(nodes.map((n) => n.processIndex)).size, 3);
  });

  it("delivers a room send from node A once to the room's members on A, B and C, and to nobody else", async () => {
    const members = [
      await clients.on(node(0), 'r1'),
      await clients.on(node(1), 'r1'),
      await clients.on(node(2), 'r1'),
    ];
    const outsider = await clients.on(node(1), 'other');
    const first = members.map((c) => c.waitFor('first'));
    const second = members.map((c) => c.waitFor('second'));
    await members[0]!.request('sendByRoom|{"roomNum":"r1","message":"first"}');
    await members[0]!.request('sendByRoom|{"roomNum":"r1","message":"second"}');
    await Promise.all([...first, ...second]);
    for (const c of members) assert.equal(c.received.filter((m) => m === 'first').length, 1);
    await outsider.sync();
    assert.ok(!outsider.received.includes('first'));
  });

  it('delivers a broadcast from node B to clients on every node', async () => {
    const all = [await clients.on(node(0)), await clients.on(node(1)), await clients.on(node(2))];
    const got = all.map((c) => c.waitFor('to everyone'));
    await all[1]!.request('broadcast|{"message":"to everyone"}');
    await Promise.all(got);
  });

  it('delivers an HTTP push to node A to the room members on B and C', async () => {
    const onB = await clients.on(node(1), 'r2');
    const onC = await clients.on(node(2), 'r2');
    const got = [onB.waitFor('from http'), onC.waitFor('from http')];
    assert.equal(await push(node(0), '/Index/pushByRoom?roomNum=r2&message=from%20http'), 200);
    await Promise.all(got);
  });

  it('counts the members of a room on every node, and forgets a client that left', async () => {
    const leaving = await clients.on(node(0), 'counted');
    await clients.on(node(1), 'counted');
    await clients.on(node(2), 'counted');
    assert.equal(await observer.count('counted'), 3);
    await leaving.close();
    await eventually(
      () => observer.count('counted'),
      (n) => n === 2,
      { what: 'count after a client left' },
    );
  });

  it('expires the memberships of a node killed with SIGKILL, and the others keep working', async () => {
    const doomed = await GatewayNode.start(redisEnv(url, prefix));
    nodes.push(doomed);
    await clients.on(doomed, 'r3');
    await clients.on(doomed, 'r3');
    const survivor = await clients.on(node(0), 'r3');
    assert.equal(await observer.count('r3'), 3);
    await doomed.kill();
    await eventually(
      () => observer.count('r3'),
      (n) => n === 1,
      {
        withinMs: NODE_TTL_MS * 4,
        what: 'memberships of the killed node expired',
      },
    );
    assert.deepEqual(await observer.roomsOf(Number((await observer.members('r3'))[0])), ['r3']);
    const got = survivor.waitFor('still here');
    assert.equal(await push(node(1), '/Index/pushByRoom?roomNum=r3&message=still%20here'), 200);
    await got;
  });
});

describeOrSkip(
  'gateway nodes across a Redis restart',
  {
    skip: redis.skip ?? (hasRedisServerBinary() ? undefined : 'no redis-server binary to restart'),
  },
  () => {
    let server: SpawnedRedis;
    let nodes: GatewayNode[] = [];
    let observer: RedisRoomStore | undefined;
    const clients = new Clients();

    before(async () => {
      server = await SpawnedRedis.start();
      nodes = await Promise.all(
        [0, 1, 2].map(() => GatewayNode.start(redisEnv(server.url, 'tars-ws-test:'))),
      );
    });
    after(async () => {
      await clients.closeAll();
      await Promise.all(nodes.map((n) => n.stop()));
      await observer?.close();
      await server.kill();
    });

    it('keeps local delivery while Redis is down, then resumes delivery and re-registers memberships by itself', async () => {
      const [a, b, c] = [nodes[0]!, nodes[1]!, nodes[2]!];
      const onA = await clients.on(a, 'live');
      const onB = await clients.on(b, 'live');
      const onC = await clients.on(c, 'live');
      const before = onB.waitFor('before');
      assert.equal(await push(a, '/Index/pushByRoom?roomNum=live&message=before'), 200);
      await before;

      await server.kill();
      // While Redis is down: the push fails upstream (502), yet node A's own clients get it.
      const local = onA.waitFor('during');
      const status = await eventually(
        () => push(a, '/Index/pushByRoom?roomNum=live&message=during'),
        (s) => s === 502,
        { what: 'a push failing upstream' },
      );
      assert.equal(status, 502);
      await local;

      await server.restart();
      let n = 0;
      await eventually(
        async () => {
          const text = `after-${n++}`;
          const arrived = Promise.race([
            onC.waitFor(text),
            new Promise<undefined>((r) => setTimeout(r, 200)),
          ]);
          await push(a, `/Index/pushByRoom?roomNum=live&message=${text}`);
          return (await arrived) !== undefined;
        },
        (crossed) => crossed,
        { withinMs: 15_000, everyMs: 0, what: 'delivery across nodes after the restart' },
      );
      observer = await RedisRoomStore.open({ url: server.url, keyPrefix: 'tars-ws-test:', logger: silent });
      await eventually(
        () => observer!.count('live'),
        (count) => count === 3,
        {
          withinMs: 15_000,
          what: 'memberships registered again',
        },
      );
      for (const node of nodes) assert.ok(node.running, `node ${node.processIndex} stopped: ${node.stderr}`);
      await onB.sync();
    });
  },
);
