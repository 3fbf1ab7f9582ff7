/**
 * Two gateway nodes, each its own process, over Redis (room store and broker), with official SDK clients on both:
 * an SDK publish on one node reaches SDK and text subscribers of the same room on the other, a text client's
 * sendByRoom on one reaches SDK subscribers on the other, and a namespaced channel crosses as rooms do.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Centrifuge, PublicationContext, Subscription } from 'centrifuge';
import { callbackWithin as within, connectSdk } from '../support/centrifuge-sdk.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { TestClient } from '../support/gateway.js';
import { GatewayNode } from '../support/node-process.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Centrifugo SDK clients on two nodes: ${redis.skip}`);
after(stopSharedRedis);

const OPEN = {
  allowSubscribeForClient: true,
  allowSubscribeForAnonymous: true,
  allowPublishForSubscriber: true,
  allowPublishForAnonymous: true,
};

describeOrSkip('Centrifugo SDK clients on two gateway nodes over Redis', { skip: redis.skip }, () => {
  const url = redis.url ?? '';
  const prefix = uniquePrefix('cf-nodes');
  let a: GatewayNode;
  let b: GatewayNode;
  const clients: Centrifuge[] = [];
  const texts: TestClient[] = [];

  async function sdk(node: GatewayNode): Promise<Centrifuge> {
    const { client } = await connectSdk(`${node.wsUrl}connection/websocket`);
    clients.push(client);
    return client;
  }

  /** Subscribes and resolves with the publications it will receive. */
  async function subscribe(
    c: Centrifuge,
    channel: string,
  ): Promise<{ sub: Subscription; got: PublicationContext[] }> {
    const sub = c.newSubscription(channel);
    const got: PublicationContext[] = [];
    sub.on('publication', (ctx) => got.push(ctx));
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    return { sub, got };
  }

  async function publication(
    got: PublicationContext[],
    sub: Subscription,
    what: string,
  ): Promise<PublicationContext> {
    const seen = got.find((p) => JSON.stringify(p.data) === what);
    if (seen) return seen;
    return within(`publication ${what}`, (done) =>
      sub.on('publication', (ctx) => JSON.stringify(ctx.data) === what && done(ctx)),
    );
  }

  before(async () => {
    const env = {
      ROOM_STORE: 'redis',
      BROKER: 'redis',
      REDIS_URL: url,
      REDIS_KEY_PREFIX: prefix,
      CHANNEL_DEFAULTS: JSON.stringify(OPEN),
      NAMESPACES: JSON.stringify([{ name: 'chat', ...OPEN }]),
    };
    [a, b] = await Promise.all([GatewayNode.start(env), GatewayNode.start(env)]);
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(texts.map((t) => t.close()));
    await Promise.all([a?.stop(), b?.stop()]);
    await wipePrefix(url, prefix);
  });

  it('carries an SDK publish on one node to SDK and text subscribers on the other', async () => {
    const onB = await subscribe(await sdk(b), 'room-x');
    const text = await TestClient.open(b.wsUrl);
    texts.push(text);
    await text.subscribe('room-x');
    const onA = await subscribe(await sdk(a), 'room-x');
    const textGot = text.waitFor('{"hello":"from A"}');
    await onA.sub.publish({ hello: 'from A' });
    assert.deepEqual((await publication(onB.got, onB.sub, '{"hello":"from A"}')).data, { hello: 'from A' });
    await textGot;
  });

  it('carries a text sendByRoom on one node to SDK subscribers on the other', async () => {
    const onA = await subscribe(await sdk(a), 'room-y');
    const text = await TestClient.open(b.wsUrl);
    texts.push(text);
    text.ws.send('sendByRoom|{"roomNum":"room-y","message":"from a text page on B"}');
    assert.equal(
      (await publication(onA.got, onA.sub, '"from a text page on B"')).data,
      'from a text page on B',
    );
  });

  it('carries a namespaced channel across nodes as rooms are', async () => {
    const onB = await subscribe(await sdk(b), 'chat:nodes');
    const onA = await subscribe(await sdk(a), 'chat:nodes');
    await onA.sub.publish('to chat on both');
    await publication(onB.got, onB.sub, '"to chat on both"');
    await publication(onA.got, onA.sub, '"to chat on both"');
  });
});
