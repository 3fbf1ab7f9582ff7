import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Centrifuge, type PublicationContext } from 'centrifuge';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import WebSocket from 'ws';
import type { Gateway } from '../../src/index.js';
import { callbackWithin as within } from '../support/centrifuge-sdk.js';
import { startChat } from '../support/chat.js';
import { hs256, OPEN_ROOMS, SECRET } from '../support/centrifuge.js';
import { TestClient, wsUrl } from '../support/gateway.js';

describe('Centrifugo client protocol on /connection/websocket', () => {
  let gateway: Gateway;
  const clients: Centrifuge[] = [];
  const texts: TestClient[] = [];
  const sdk = (opts: Partial<ConstructorParameters<typeof Centrifuge>[1]> = {}): Centrifuge => {
    const c = new Centrifuge(wsUrl(gateway, '/connection/websocket'), {
      websocket: WebSocket,
      minReconnectDelay: 50,
      maxReconnectDelay: 200,
      ...opts,
    });
    clients.push(c);
    return c;
  };
  const connected = (c: Centrifuge): Promise<unknown> =>
    within('connected', (done) => {
      c.once('connected', done);
      c.connect();
    });

  before(async () => {
    gateway = await startChat({
      tokenHmacSecretKey: SECRET,
      allowAnonymousConnect: 'true',
      channelDefaults: OPEN_ROOMS,
    });
    gateway.onRpc('sum', (data) => {
      const { a, b } = data as { a: number; b: number };
      return { sum: a + b };
    });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(texts.map((t) => t.close()));
    await gateway.close();
  });

  it('connects anonymously and with an HS256 token', async () => {
    await connected(sdk());
    const token = await hs256({ sub: 'alice' }, 60);
    const ctx = (await connected(sdk({ token }))) as { client: string };
    assert.match(ctx.client, /^\d+$/);
  });

  it('refuses an invalid token with 3500 and an expired one with 109 (then getToken)', async () => {
    const bad = sdk({ token: 'not.a.jwt' });
    const dis = await within<{ code: number }>('disconnected', (done) => {
      bad.once('disconnected', done);
      bad.connect();
    });
    assert.equal(dis.code, 3500);
    const expired = await hs256({ sub: 'bob' }, -10);
    let asked = 0;
    const c = sdk({
      token: expired,
      getToken: async () => {
        asked++;
        return hs256({ sub: 'bob' }, 60);
      },
    });
    await connected(c);
    assert.equal(asked, 1);
  });

  it('subscribes to a room, publishes, and meets text clients in the same room', async () => {
    const c = sdk();
    await connected(c);
    const sub = c.newSubscription('room7');
    const pubs: PublicationContext[] = [];
    const first = within<PublicationContext>('publication', (done) =>
      sub.on('publication', (ctx) => {
        pubs.push(ctx);
        done(ctx);
      }),
    );
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    const text = await TestClient.open(wsUrl(gateway));
    texts.push(text);
    assert.equal(await text.request('subscribe|room7'), 'Subscribe roomNum:room7 success!');
    const seen = text.waitFor('hello from sdk');
    await sub.publish('hello from sdk');
    await seen;
    assert.equal((await first).data, 'hello from sdk');
    const fromText = within<PublicationContext>('text publication', (done) =>
      sub.on('publication', (ctx) => ctx.data === 'hi' && done(ctx)),
    );
    await gateway.sendToRoom('room7', 'hi');
    assert.equal((await fromText).data, 'hi');
  });

  it('carries a non-string SDK publish as a value to SDK clients and as its JSON text to text clients', async () => {
    const c = sdk();
    await connected(c);
    const sub = c.newSubscription('room9');
    const got = within<PublicationContext>('publication', (done) => sub.on('publication', done));
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    const text = await TestClient.open(wsUrl(gateway));
    texts.push(text);
    assert.equal(await text.request('subscribe|room9'), 'Subscribe roomNum:room9 success!');
    const seen = text.waitFor('{"text":"hi","n":[1,2]}');
    await sub.publish({ text: 'hi', n: [1, 2] });
    await seen;
    assert.deepEqual((await got).data, { text: 'hi', n: [1, 2] });
  });

  it('hands a send to the onSend handler, with the connection it came from', async () => {
    const c = sdk();
    await connected(c);
    const got = within<{ data: unknown; protocol: string }>('send', (done) =>
      gateway.onSend((data, conn) => done({ data, protocol: conn.protocol.name })),
    );
    await c.send({ fire: 'and forget' });
    assert.deepEqual(await got, { data: { fire: 'and forget' }, protocol: 'centrifuge' });
  });

  it('subscribes server-side to the token channels', async () => {
    const token = await hs256({ sub: 'carol', channels: ['room8'] }, 60);
    const c = sdk({ token });
    const got = within<{ channel: string; data: unknown }>('server-side publication', (done) =>
      c.on('publication', done),
    );
    await within('subscribed', (done) => {
      c.once('subscribed', done);
      c.connect();
    });
    await gateway.sendToRoom('room8', 'to carol');
    const pub = await got;
    assert.equal(pub.channel, 'room8');
    assert.equal(pub.data, 'to carol');
  });

  it('joins a burst of publications into fewer frames; the SDK reads every one, in order', async () => {
    const room = 'room-burst';
    const count = 300;
    const c = sdk();
    await connected(c);
    const got: unknown[] = [];
    const sub = c.newSubscription(room);
    const all = within('all publications', (done) => {
      sub.on('publication', (ctx: PublicationContext) => {
        got.push(ctx.data);
        if (got.length === count) done(undefined);
      });
    });
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    const raw = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    texts.push(raw);
    await raw.request(`{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"${room}"}}`);
    const lines = (): string[] =>
      raw.received.flatMap((f) => f.split('\n')).filter((l) => l.includes('"pub"'));
    const publisher = await TestClient.open(wsUrl(gateway));
    texts.push(publisher);
    // One write: the server reads the burst at once and fans it out in few turns.
    const socket = (publisher.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.cork();
    for (let i = 0; i < count; i++)
      publisher.ws.send(`sendByRoom|${JSON.stringify({ roomNum: room, message: `n${i}` })}`);
    socket.uncork();
    await all;
    assert.deepEqual(
      got,
      Array.from({ length: count }, (_, i) => `n${i}`),
    );
    // Each wait needs a new frame within its deadline, and there are at most `count` of them.
    while (lines().length < count)
      await raw.waitFor(() => true, { what: `publication ${lines().length + 1}` });
    assert.equal(lines().length, count);
    const frames = raw.received.filter((f) => f.includes('"pub"')).length;
    assert.ok(frames < count / 2, `${count} publications came in ${frames} frames`);
  });

  it('answers rpc through onRpc, 104 for unknown methods, 102 for unknown namespaces, 108 for history', async () => {
    const c = sdk();
    await connected(c);
    assert.deepEqual((await c.rpc('sum', { a: 2, b: 3 })).data, { sum: 5 });
    await assert.rejects(c.rpc('nope', {}), (err: { code: number }) => err.code === 104);
    await assert.rejects(c.publish('chat:x', 'x'), (err: { code: number }) => err.code === 102);
    await assert.rejects(c.history('room1', { limit: 1 }), (err: { code: number }) => err.code === 108);
  });
});

describe('Centrifugo tokens signed with RS256, PS256, ES256 and a JWKS key', () => {
  let gateway: Gateway;
  let rsa: CryptoKeyPair;
  let pss: CryptoKey;
  let ec: CryptoKeyPair;
  let jwk: CryptoKeyPair;
  let jwks: Server;
  const clients: Centrifuge[] = [];
  before(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    // The same RSA key signs PS256 tokens: one `tokenRsaPublicKey` verifies both schemes.
    pss = await importPKCS8(await exportPKCS8(rsa.privateKey), 'PS256');
    ec = await generateKeyPair('ES256');
    jwk = await generateKeyPair('ES384', { extractable: true });
    // A JWKS endpoint on loopback, as an identity provider publishes one.
    const published = {
      keys: [{ ...(await exportJWK(jwk.publicKey)), kid: 'k1', alg: 'ES384', use: 'sig' }],
    };
    jwks = createServer((_req, res) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify(published)),
    );
    jwks.listen(0, '127.0.0.1');
    await once(jwks, 'listening');
    const { port } = jwks.address() as AddressInfo;
    gateway = await startChat({
      tokenRsaPublicKey: await exportSPKI(rsa.publicKey),
      tokenEcdsaPublicKey: await exportSPKI(ec.publicKey),
      tokenJwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await gateway.close();
    jwks.close();
  });

  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384'] as const) {
    it(`accepts a ${alg} token and refuses anonymous connects when a key is configured`, async () => {
      const key = { RS256: rsa.privateKey, PS256: pss, ES256: ec.privateKey, ES384: jwk.privateKey }[alg];
      const token = await new SignJWT({ sub: 'dave' })
        .setProtectedHeader(alg === 'ES384' ? { alg, kid: 'k1' } : { alg })
        .setExpirationTime('1m')
        .sign(key);
      const url = wsUrl(gateway, '/connection/websocket');
      const ok = new Centrifuge(url, { websocket: WebSocket, token });
      clients.push(ok);
      await within('connected', (done) => {
        ok.once('connected', done);
        ok.connect();
      });
      const anon = new Centrifuge(url, { websocket: WebSocket });
      clients.push(anon);
      const dis = await within<{ code: number }>('disconnected', (done) => {
        anon.once('disconnected', done);
        anon.connect();
      });
      assert.equal(dis.code, 3503);
    });
  }
});

describe('Centrifugo protocol frames', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat({ centrifugePingIntervalMs: 200, channelDefaults: OPEN_ROOMS });
  });
  after(() => gateway.close());

  it('answers several commands of one frame in one batch, pings with {} and closes silent clients with 3012', async () => {
    const raw = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
    const reply = raw.waitFor((m) => m.includes('"id":2'));
    raw.ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"room9"}}');
    const lines = (await reply).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.equal((lines[0]!['connect'] as { pong: boolean }).pong, true);
    assert.deepEqual(lines[1], { id: 2, subscribe: {} });
    await raw.waitFor('{}');
    raw.ws.send('{}');
    await raw.waitFor('{}');
    const closed = await raw.closed;
    assert.equal(closed.code, 3012);
  });
});
