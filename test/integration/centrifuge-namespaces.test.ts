import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PublicationContext } from 'centrifuge';
import { MemoryBus } from '../../src/broker/broker-memory-double.js';
import { DEFAULT_CHANNEL_OPTIONS, type Gateway, type NamespaceOptions } from '../../src/index.js';
import { hs256, SdkClients, SECRET, subscribed, within } from '../support/centrifuge.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const ns = (name: string, options: Partial<NamespaceOptions>): NamespaceOptions => ({
  ...DEFAULT_CHANNEL_OPTIONS,
  name,
  ...options,
});

/** Namespaces covering each permission: clients only, anonymous too, nothing, user-limited. */
const NAMESPACES = [
  ns('members', { allowSubscribeForClient: true, allowPublishForSubscriber: true }),
  ns('lobby', {
    allowSubscribeForClient: true,
    allowSubscribeForAnonymous: true,
    allowPublishForClient: true,
    allowPublishForAnonymous: true,
  }),
  ns('closed', {}),
  ns('dm', { allowUserLimitedChannels: true }),
];

const code = (expected: number) => (err: unknown) => (err as { code?: number }).code === expected;

describe('Centrifugo namespaces and permissions', () => {
  let gateway: Gateway;
  const sdk = new SdkClients(() => gateway);
  const texts: TestClient[] = [];
  const as = async (user: string) =>
    user === '' ? sdk.connected() : sdk.connected({ token: await hs256({ sub: user }, 60) });

  before(async () => {
    gateway = await startChat({
      tokenHmacSecretKey: SECRET,
      allowAnonymousConnect: 'true',
      namespaces: NAMESPACES,
    });
  });
  after(async () => {
    sdk.closeAll();
    await Promise.all(texts.map((t) => t.close()));
    await gateway.close();
  });

  it('refuses a channel of an unknown namespace with 102', async () => {
    const c = await as('alice');
    await assert.rejects(subscribed(c.newSubscription('nope:x')), code(102));
  });

  it('lets a user subscribe where allowSubscribeForClient is set, and refuses anonymous connections there with 103', async () => {
    await subscribed((await as('alice')).newSubscription('members:a'));
    await assert.rejects(subscribed((await as('')).newSubscription('members:a')), code(103));
  });

  it('lets anonymous connections subscribe where allowSubscribeForAnonymous is also set', async () => {
    await subscribed((await as('')).newSubscription('lobby:a'));
  });

  it('refuses a namespace without allows with 103, even to a user', async () => {
    await assert.rejects(subscribed((await as('alice')).newSubscription('closed:a')), code(103));
  });

  it('refuses rooms by default: channelDefaults allow nothing unless configured', async () => {
    await assert.rejects(subscribed((await as('alice')).newSubscription('room1')), code(103));
  });

  it('lets the users listed in a user-limited channel subscribe, and no one else', async () => {
    await subscribed((await as('alice')).newSubscription('dm:#alice,bob'));
    await assert.rejects(subscribed((await as('carol')).newSubscription('dm:#alice,bob')), code(103));
  });

  it('refuses a $ channel without a subscription token, whatever the options', async () => {
    await assert.rejects(subscribed((await as('alice')).newSubscription('$lobby:a')), code(103));
  });

  it('lets subscribers publish with allowPublishForSubscriber and refuses the others with 103', async () => {
    const member = await as('alice');
    const sub = member.newSubscription('members:pub');
    await subscribed(sub);
    await sub.publish({ n: 1 });
    await assert.rejects((await as('bob')).publish('members:pub', 'x'), code(103));
  });

  it('lets anyone publish with allowPublishForClient + allowPublishForAnonymous, without subscribing', async () => {
    await (await as('')).publish('lobby:any', 'hi');
  });

  it('fans a namespaced publication out with the data as published and the publisher info', async () => {
    const reader = await as('reader');
    const sub = reader.newSubscription('lobby:fan');
    const got = within<PublicationContext>('publication', (done) => sub.on('publication', done));
    await subscribed(sub);
    const writer = await sdk.connected({ token: await hs256({ sub: 'writer', info: { name: 'W' } }, 60) });
    await writer.publish('lobby:fan', { text: 'hello' });
    const pub = await got;
    assert.deepEqual(pub.data, { text: 'hello' });
    assert.equal(pub.info?.user, 'writer');
    assert.deepEqual(pub.info?.connInfo, { name: 'W' });
  });

  it('keeps text clients out of namespaced channels (FORBIDDEN), while they still join rooms', async () => {
    const text = await TestClient.open(wsUrl(gateway));
    texts.push(text);
    assert.match(await text.request('subscribe|lobby:a'), /FORBIDDEN|Centrifugo channel/);
    assert.match(
      await text.request('sendByRoom|{"roomNum":"lobby:a","message":"x"}'),
      /FORBIDDEN|Centrifugo channel/,
    );
    assert.equal(await text.request('subscribe|nope:x'), 'Subscribe roomNum:nope:x success!');
  });

  it('lets the server push to a namespaced channel (the server API is trusted)', async () => {
    const c = await as('alice');
    const sub = c.newSubscription('members:news');
    const got = within<PublicationContext>('publication', (done) => sub.on('publication', done));
    await subscribed(sub);
    await gateway.sendToRoom('members:news', 'breaking');
    assert.equal((await got).data, 'breaking');
  });
});

describe('Centrifugo namespaced channels across processes', () => {
  const gateways: Gateway[] = [];
  const pools: SdkClients[] = [];
  after(async () => {
    for (const p of pools) p.closeAll();
    await Promise.all(gateways.map((g) => g.close()));
  });

  it('fans a chat:x publication out to another process through the broker, as rooms do', async () => {
    const bus = new MemoryBus();
    for (const processIndex of [1, 2]) {
      const broker = bus.broker(processIndex);
      gateways.push(await startChat({ namespaces: NAMESPACES }, { broker, processIndex }));
    }
    const [a, b] = gateways.map((g) => {
      const pool = new SdkClients(() => g);
      pools.push(pool);
      return pool;
    });
    const reader = await a!.connected();
    const sub = reader.newSubscription('lobby:across');
    const got = within<PublicationContext>('publication from the other process', (done) =>
      sub.on('publication', done),
    );
    await subscribed(sub);
    await (await b!.connected()).publish('lobby:across', { from: 'b' });
    assert.deepEqual((await got).data, { from: 'b' });
  });
});
