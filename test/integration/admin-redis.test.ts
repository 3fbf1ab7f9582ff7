/**
 * The admin dashboard across two gateways sharing Redis (room store and broker): the nodes list shows both, a
 * connection held by the other node is shown and disconnected through the Redis admin channel, another node is
 * drained, and a stopped or killed node leaves the list.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { ADMIN_PASSWORD, AdminClient, startAdminGateway } from '../support/admin.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { eventually } from '../support/eventually.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { GatewayNode } from '../support/node-process.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const redis = await findRedis();
after(stopSharedRedis);

describeOrSkip('admin dashboard across two nodes over Redis', { skip: redis.skip }, () => {
  it('lists both nodes, and shows and disconnects a connection held by the other one', async () => {
    const url = redis.url!;
    const prefix = uniquePrefix('admin');
    const config = {
      roomStore: 'redis',
      broker: 'redis',
      redisUrl: url,
      redisKeyPrefix: prefix,
      adminSecret: 'shared',
    } as const;
    const a = await startAdminGateway(config);
    const b = await startAdminGateway(config);
    const client = await TestClient.open(wsUrl(b.gateway));
    try {
      await client.subscribe('room-on-b');
      const admin = new AdminClient(a.gateway.url);
      assert.equal((await admin.login()).status, 200);
      const nodes = await eventually(
        async () =>
          (await admin.get('nodes')).body['nodes'] as { processIndex: number; connections: number }[],
        (list) => list.length === 2 && list.some((n) => n.connections === 1),
        { what: 'both nodes in the list' },
      );
      assert.deepEqual(
        nodes.map((n) => n.processIndex),
        [a.gateway.processIndex, b.gateway.processIndex].sort((x, y) => x - y),
      );
      const [conn] = b.gateway.connections();
      const detail = await admin.get(`connection?id=${conn?.id}`);
      assert.equal(detail.status, 200);
      assert.deepEqual(detail.body['rooms'], ['room-on-b']);
      assert.equal(detail.body['node'], b.gateway.nodeId);
      const rooms = await admin.get('rooms?search=room-on');
      assert.deepEqual(rooms.body['rooms'], [{ room: 'room-on-b', members: 1 }]);
      // The session signed by A holds on B too: both have the same adminSecret.
      const onB = new AdminClient(b.gateway.url);
      onB.cookie = admin.cookie;
      assert.equal((await onB.get('nodes')).status, 200);
      assert.equal((await admin.post('disconnect', { id: conn?.id })).status, 200);
      assert.equal((await client.closed).code, 4009);
      await b.gateway.close();
      await eventually(
        async () => ((await admin.get('nodes')).body['nodes'] as unknown[]).length,
        (n) => n === 1,
        { what: 'the stopped node leaving the list' },
      );
      assert.equal((await admin.get(`connection?id=${conn?.id}`)).status, 404);
    } finally {
      await client.close();
      await b.gateway.close();
      await a.gateway.close();
      await wipePrefix(url, prefix);
    }
  });

  /** Two node processes over Redis with the dashboard, signed in on the first once it lists both. */
  async function twoNodes(
    name: string,
    extra: Record<string, string>,
    body: (a: GatewayNode, b: GatewayNode, admin: AdminClient, count: () => Promise<number>) => Promise<void>,
  ): Promise<void> {
    const url = redis.url!;
    const prefix = uniquePrefix(name);
    const env = {
      ROOM_STORE: 'redis',
      BROKER: 'redis',
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      ADMIN_PASSWORD,
    };
    const [a, b] = await Promise.all([
      GatewayNode.start({ ...env, ...extra }),
      GatewayNode.start({ ...env, ...extra }),
    ]);
    try {
      const admin = new AdminClient(a.url);
      assert.equal((await admin.login()).status, 200);
      const count = async (): Promise<number> =>
        ((await admin.get('nodes')).body['nodes'] as unknown[]).length;
      await eventually(count, (n) => n === 2, { what: 'both nodes in the list' });
      await body(a, b, admin, count);
    } finally {
      await Promise.all([a.stop(), b.kill()]);
      await wipePrefix(url, prefix);
    }
  }

  it('drains another node through the Redis admin channel: its clients get 1001 and its process exits 0', () =>
    twoNodes('admin-drain', { ADMIN_SECRET: 'shared', DRAIN_MS: '200' }, async (_a, b, admin) => {
      const client = await TestClient.open(b.wsUrl);
      assert.equal((await admin.post('drain', { node: b.processIndex })).status, 200);
      assert.equal((await client.closed).code, 1001);
      assert.deepEqual(await b.exited, { code: 0, signal: null });
    }));

  it('drops a node killed without cleanup once its snapshot is 5 s old', () =>
    twoNodes('admin-kill', {}, async (_a, b, _admin, count) => {
      await b.kill();
      await eventually(count, (n) => n === 1, { withinMs: 10_000, what: 'the killed node leaving the list' });
    }));
});
