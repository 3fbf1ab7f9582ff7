/**
 * The server API on two gateway nodes, each its own process, over Redis (room store and broker): a call to one node
 * acts on the Centrifugo connections of the other, as the control messages cross the broker.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Centrifuge, PublicationContext } from 'centrifuge';
import { callbackWithin as within, connectSdk, hs256Token } from '../support/centrifuge-sdk.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { GatewayNode } from '../support/node-process.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping server API over Redis: ${redis.skip}`);
after(stopSharedRedis);

const KEY = 'redis-api-key';
const SECRET = 'server-api-redis-secret-of-sufficient-length';

async function api(node: GatewayNode, method: string, params: unknown): Promise<unknown> {
  const res = await fetch(`${node.url}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200);
  return res.json();
}

describeOrSkip('server API on two gateway nodes over Redis', { skip: redis.skip }, () => {
  const url = redis.url ?? '';
  const prefix = uniquePrefix('api');
  let a: GatewayNode;
  let b: GatewayNode;
  const clients: Centrifuge[] = [];

  async function sdk(node: GatewayNode, user: string): Promise<Centrifuge> {
    const url = `${node.wsUrl}connection/websocket`;
    const { client } = await connectSdk(url, await hs256Token(SECRET, user));
    clients.push(client);
    return client;
  }

  before(async () => {
    const env = {
      ROOM_STORE: 'redis',
      BROKER: 'redis',
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      API_KEY: KEY,
      TOKEN_HMAC_SECRET_KEY: SECRET,
      // Rooms are closed to SDK clients unless the channel defaults open them (every allow is false by default).
      CHANNEL_DEFAULTS: JSON.stringify({ allowSubscribeForClient: true, allowSubscribeForAnonymous: true }),
    };
    [a, b] = await Promise.all([GatewayNode.start(env), GatewayNode.start(env)]);
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await wipePrefix(url, prefix);
  });

  it('subscribes a user connected to the other node, whose publications then reach it', async () => {
    const c = await sdk(b, 'on-b');
    const sub = await within<{ channel: string }>('server-side subscribed', (done) => {
      c.once('subscribed', done);
      void api(a, 'subscribe', { user: 'on-b', channel: 'across' });
    });
    assert.equal(sub.channel, 'across');
    const pub = await within<PublicationContext>('publication', (done) => {
      c.once('publication', done);
      void api(a, 'publish', { channel: 'across', data: { from: 'a' } });
    });
    assert.deepEqual(pub.data, { from: 'a' });
  });

  it('lists the channels of both nodes from the shared store', async () => {
    const c = await sdk(b, 'lister');
    const s = c.newSubscription('listed-on-b');
    await within('subscribed', (done) => {
      s.once('subscribed', done);
      s.subscribe();
    });
    assert.deepEqual(await api(a, 'channels', { pattern: 'listed-*' }), {
      result: { channels: { 'listed-on-b': { num_clients: 1 } } },
    });
  });

  it('disconnects a user connected to the other node', async () => {
    const c = await sdk(b, 'kicked');
    const ctx = await within<{ code: number }>('disconnected', (done) => {
      c.once('disconnected', done);
      void api(a, 'disconnect', { user: 'kicked' });
    });
    assert.equal(ctx.code, 3503);
  });
});
