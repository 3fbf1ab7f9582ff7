/**
 * History, recovery and presence through the official SDK: offsets and epochs, `history` with since/limit/reverse,
 * recovery after a reconnect with publications made meanwhile, the publish/subscribe race at the seam (many rounds,
 * no loss, no duplicate), presence with join/leave, and text clients counted in a room's presence.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge, PublicationContext, SubscribedContext } from 'centrifuge';
import { DEFAULT_CHANNEL_OPTIONS, type Gateway, type NamespaceOptions } from '../../src/index.js';
import { OPEN_ROOMS, SdkClients, subscribed, within } from '../support/centrifuge.js';
import { startChat } from '../support/chat.js';
import { describeOrSkip } from '../support/describe-or-skip.js';
import { findRedis, stopSharedRedis, uniquePrefix, wipePrefix } from '../support/redis-server.js';
import { TestClient, wsUrl } from '../support/gateway.js';
import { TurnPublisher } from '../support/turn-publisher.js';

const open = { ...OPEN_ROOMS, allowHistoryForSubscriber: true, allowPresenceForSubscriber: true };
const ns = (name: string, options: Partial<NamespaceOptions>): NamespaceOptions => ({
  ...DEFAULT_CHANNEL_OPTIONS,
  ...open,
  name,
  ...options,
});

/**
 * The publish/subscribe race at the recovery seam, `rounds` times: publications go on while a raw client subscribes
 * recovering from the stream's start; every offset must arrive once, in order (reply publications, then pushes).
 */
async function seamRounds(gateway: Gateway, rounds: number, prefix: string): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const channel = `${prefix}${round}`;
    // One publication per event-loop turn, so socket I/O (the subscribe) interleaves with them.
    const publisher = new TurnPublisher(gateway, channel);
    await publisher.reach(5);
    const { epoch } = await gateway.history(channel, { limit: 0 });
    // A raw client: every publication on the wire counts (the SDK would hide duplicates by their offsets).
    const raw = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    const seen: number[] = [];
    let recovered: unknown;
    raw.ws.on('message', (data: Buffer) => {
      for (const line of data.toString().split('\n')) {
        const frame = JSON.parse(line) as {
          id?: number;
          subscribe?: { recovered?: boolean; publications?: { offset: number }[] };
          push?: { pub?: { offset: number } };
        };
        if (frame.id === 2) {
          recovered = frame.subscribe?.recovered;
          for (const p of frame.subscribe?.publications ?? []) seen.push(p.offset);
        } else if (frame.push?.pub) seen.push(frame.push.pub.offset);
      }
    });
    await raw.request('{"id":1,"connect":{}}');
    // From the stream's start: the reply recovers what was published so far, the live stream the rest.
    const subscribe = { channel, recover: true, offset: 0, epoch };
    await raw.request(JSON.stringify({ id: 2, subscribe }));
    assert.equal(recovered, true, `round ${round}`);
    await publisher.reach(publisher.published + 20);
    await publisher.stop();
    // Offsets from the epoch start, once each, in order: nothing lost at the seam, nothing sent twice.
    await publisher.expectSeen(seen, `round ${round} on the wire`);
    await raw.close();
  }
}

describe('Centrifugo history, recovery and presence', () => {
  let gateway: Gateway;
  const sdk = new SdkClients(() => gateway);
  const texts: TestClient[] = [];

  before(async () => {
    gateway = await startChat({
      channelDefaults: { ...open, presence: true },
      namespaces: [
        ns('hist', { historySize: 5, historyTtlMs: 60_000 }),
        ns('rec', { historySize: 1000, historyTtlMs: 60_000, forceRecovery: true }),
        ns('pres', { presence: true, joinLeave: true }),
      ],
    });
  });
  after(async () => {
    sdk.closeAll();
    await Promise.all(texts.map((t) => t.close()));
    await gateway.close();
  });

  it('gives room publications increasing offsets in one epoch, trims to the size, reads since/limit/reverse', async () => {
    const first = await gateway.sendToRoom('hist:1', 'p1');
    assert.equal(first.offset, 1);
    for (let i = 2; i <= 7; i++) await gateway.sendToRoom('hist:1', `p${i}`);
    const c = await sdk.connected();
    const sub = c.newSubscription('hist:1');
    await subscribed(sub);
    const all = await sub.history({ limit: -1 });
    assert.deepEqual(
      all.publications.map((p) => [p.offset, p.data]),
      [3, 4, 5, 6, 7].map((o) => [o, `p${o}`]),
    );
    assert.equal(all.offset, 7);
    assert.equal(all.epoch, first.epoch);
    const since = await sub.history({ limit: 2, since: { offset: 4, epoch: all.epoch } });
    assert.deepEqual(
      since.publications.map((p) => p.offset),
      [5, 6],
    );
    const latest = await sub.history({ limit: 2, reverse: true });
    assert.deepEqual(
      latest.publications.map((p) => p.offset),
      [7, 6],
    );
    const position = await sub.history({ limit: 0 });
    assert.deepEqual([position.publications.length, position.offset], [0, 7]);
  });

  it('recovers what a client missed while disconnected, in order, then goes on live', async () => {
    const c = await sdk.connected();
    const sub = c.newSubscription('rec:1');
    const got: PublicationContext[] = [];
    sub.on('publication', (ctx) => got.push(ctx));
    await subscribed(sub);
    await gateway.sendToRoom('rec:1', 'before');
    await within('before', (done) => sub.on('publication', (ctx) => ctx.data === 'before' && done(ctx)));
    c.disconnect();
    for (const m of ['m1', 'm2', 'm3']) await gateway.sendToRoom('rec:1', m);
    const again = within<SubscribedContext>('resubscribed', (done) => sub.once('subscribed', done));
    c.connect();
    const ctx = await again;
    assert.equal(ctx.wasRecovering, true);
    assert.equal(ctx.recovered, true);
    await gateway.sendToRoom('rec:1', 'live');
    await within('live', (done) => sub.on('publication', (p) => p.data === 'live' && done(p)));
    assert.deepEqual(
      got.map((p) => p.data),
      ['before', 'm1', 'm2', 'm3', 'live'],
    );
    const offsets = got.map((p) => p.offset);
    for (let i = 1; i < offsets.length; i++) assert.equal(offsets[i], offsets[i - 1]! + 1);
  });

  it('disconnects a positioned subscriber with 3010 when its stream skips an offset, and no one else', async () => {
    const raw = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    texts.push(raw);
    const plain = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    texts.push(plain);
    for (const [c, positioned] of [
      [raw, true],
      [plain, false],
    ] as const) {
      await c.request('{"id":1,"connect":{}}');
      const reply = await c.request(JSON.stringify({ id: 2, subscribe: { channel: 'rec:gap', positioned } }));
      assert.match(reply, /"id":2/);
    }
    await gateway.sendToRoom('rec:gap', 'one');
    await raw.waitFor(/"one"/);
    // A publication stored but never delivered here (as if lost on the way): the next one skips an offset.
    await gateway.historyStore.append('rec:gap', { data: 'lost' }, { size: 1000, ttlMs: 60_000 });
    await gateway.sendToRoom('rec:gap', 'three');
    assert.equal((await raw.closed).code, 3010);
    await plain.waitForCount(/"three"/, 1);
  });

  it('tells a client whose position is gone (another epoch) that it was not recovered', async () => {
    const c = await sdk.connected();
    const sub = c.newSubscription('rec:2', { since: { offset: 3, epoch: 'not-this-epoch' } });
    const ctx = within<SubscribedContext>('subscribed', (done) => sub.once('subscribed', done));
    sub.subscribe();
    assert.deepEqual([(await ctx).wasRecovering, (await ctx).recovered], [true, false]);
  });

  it('loses and repeats nothing at the seam while publications race the subscribe (20 rounds)', async () => {
    await seamRounds(gateway, 20, 'rec:race');
  });

  it('shows who is subscribed, counts users, and pushes join and leave', async () => {
    const a = await sdk.connected();
    const subA = a.newSubscription('pres:1', { joinLeave: true });
    await subscribed(subA);
    const [aClient] = Object.keys((await subA.presence()).clients);
    // A is told of its own join too (as Centrifugo does): wait for the other one.
    const joined = within<{ info: { client: string } }>('join', (done) =>
      subA.on('join', (ctx) => ctx.info.client !== aClient && done(ctx)),
    );
    const b: Centrifuge = await sdk.connected();
    const subB = b.newSubscription('pres:1');
    await subscribed(subB);
    const bClient = (await joined).info.client;
    const presence = await subA.presence();
    assert.equal(Object.keys(presence.clients).length, 2);
    assert.ok(presence.clients[bClient]);
    assert.deepEqual(await subA.presenceStats(), { numClients: 2, numUsers: 1 });
    const left = within<{ info: { client: string } }>('leave', (done) => subA.on('leave', done));
    subB.unsubscribe();
    assert.equal((await left).info.client, bClient);
    assert.equal((await subA.presenceStats()).numClients, 1);
  });

  it('counts text clients of a room in its presence, as anonymous clients', async () => {
    const text = await TestClient.open(wsUrl(gateway));
    texts.push(text);
    await text.subscribe('lobby7');
    const presence = await gateway.presence('lobby7');
    assert.deepEqual(Object.values(presence), [{ user: '', client: Object.keys(presence)[0] }]);
    await text.close();
    await within('presence emptied', (done) => {
      const poll = (): void =>
        void gateway
          .presence('lobby7')
          .then((p) => (Object.keys(p).length === 0 ? done(undefined) : setTimeout(poll, 20)));
      poll();
    });
  });
});

const redis = await findRedis();
after(stopSharedRedis);

describeOrSkip('Centrifugo recovery with the Redis history engine', { skip: redis.skip }, () => {
  let gateway: Gateway;
  const prefix = uniquePrefix('cf-history');
  before(async () => {
    gateway = await startChat({
      roomStore: 'redis',
      broker: 'redis',
      historyEngine: 'redis',
      presenceEngine: 'redis',
      redisUrl: redis.url ?? '',
      redisKeyPrefix: prefix,
      channelDefaults: open,
      namespaces: [ns('rec', { historySize: 1000, historyTtlMs: 60_000, forceRecovery: true })],
    });
  });
  after(async () => {
    await gateway?.close();
    await wipePrefix(redis.url ?? '', prefix);
  });

  it('loses and repeats nothing at the seam while publications race the subscribe (20 rounds)', async () => {
    // Each history read is a round trip here, so publications do land between the hold and the read.
    await seamRounds(gateway, 20, 'rec:race');
  });
});
