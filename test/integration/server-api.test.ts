import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge, PublicationContext } from 'centrifuge';
import { MemoryBus } from '../../src/broker/broker-memory-double.js';
import { Gateway, MemoryRoomStore } from '../../src/index.js';
import { callbackWithin as within, connectSdk, hs256Token } from '../support/centrifuge-sdk.js';
import { OPEN_ROOMS } from '../support/centrifuge.js';
import { startChat } from '../support/chat.js';
import { TestClient, testConfig, wsUrl } from '../support/gateway.js';

const KEY = 'server-api-key';
const SECRET = 'server-api-test-secret-of-sufficient-length';

interface Answer {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

/** POSTs (or `method`s) to the gateway with node:http, which lets a test set any Host header. */
function call(
  gateway: Gateway,
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'x-api-key': KEY },
  method = 'POST',
): Promise<Answer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${gateway.url}${path}`,
      { method, headers: { 'content-type': 'application/json', ...headers }, timeout: 5000 },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: data,
            json: () => JSON.parse(data) as Record<string, unknown>,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 5 s`)));
    req.end(method === 'GET' ? undefined : text);
  });
}

/** Calls a method and returns its 200 answer's JSON. */
async function api(gateway: Gateway, method: string, params: unknown): Promise<Record<string, unknown>> {
  const res = await call(gateway, `/api/${method}`, params);
  assert.equal(res.status, 200, res.body);
  return res.json();
}

describe('server API (Centrifugo HTTP API) on /api', () => {
  let gateway: Gateway;
  const clients: Centrifuge[] = [];
  const texts: TestClient[] = [];
  /** The client id each SDK client got in its connect reply. */
  const clientIds = new Map<Centrifuge, string>();

  /** An SDK client of `gw`, connected (as `user` when given). */
  async function sdk(gw: Gateway, user?: string): Promise<Centrifuge> {
    const url = wsUrl(gw, '/connection/websocket');
    const { client, clientId } = await connectSdk(
      url,
      user === undefined ? undefined : await hs256Token(SECRET, user),
    );
    clients.push(client);
    clientIds.set(client, clientId);
    return client;
  }

  async function subscribed(c: Centrifuge, channel: string): Promise<PublicationContext[]> {
    const got: PublicationContext[] = [];
    const sub = c.newSubscription(channel);
    sub.on('publication', (ctx) => got.push(ctx));
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    return got;
  }

  async function text(room: string): Promise<TestClient> {
    const t = await TestClient.open(wsUrl(gateway));
    texts.push(t);
    await t.subscribe(room);
    return t;
  }

  const arrived = async <T>(list: T[], n = 1): Promise<T[]> => {
    await within<void>(`${n} publication(s)`, (done) => {
      const poll = (): void => void (list.length >= n ? done() : setTimeout(poll, 10));
      poll();
    });
    return list;
  };

  before(async () => {
    gateway = await startChat({
      apiKey: KEY,
      tokenHmacSecretKey: SECRET,
      allowAnonymousConnect: 'true',
      // SDK subscribers of rooms need the channel defaults open (every allow is false by default); expiries end fast.
      channelDefaults: OPEN_ROOMS,
      namespaces: [{ ...OPEN_ROOMS, name: 'kept', historySize: 10, historyTtlMs: 60_000, presence: true }],
      centrifugeExpiredCloseDelayMs: 100,
    });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all(texts.map((t) => t.close()));
    await gateway.close();
  });

  describe('authentication', () => {
    it('refuses a request without a key with 401', async () => {
      const res = await call(gateway, '/api/info', {}, {});
      assert.equal(res.status, 401);
    });

    it('refuses a wrong key with 401', async () => {
      assert.equal((await call(gateway, '/api/info', {}, { 'x-api-key': 'nope' })).status, 401);
      assert.equal((await call(gateway, '/api/info', {}, { authorization: 'apikey nope' })).status, 401);
    });

    it("accepts the key in each of Centrifugo's places: X-API-Key, Authorization: apikey, ?api_key=", async () => {
      assert.equal((await call(gateway, '/api/info', {}, { 'x-api-key': KEY })).status, 200);
      assert.equal((await call(gateway, '/api/info', {}, { authorization: `apikey ${KEY}` })).status, 200);
      assert.equal((await call(gateway, `/api/info?api_key=${KEY}`, {}, {})).status, 200);
    });

    it('does not take the push token scheme (Bearer) for the API key', async () => {
      assert.equal((await call(gateway, '/api/info', {}, { authorization: `Bearer ${KEY}` })).status, 401);
    });
  });

  describe('without a configured key', () => {
    let open: Gateway;
    before(async () => {
      open = await startChat();
    });
    after(() => open.close());

    it('accepts a caller on this machine that names a loopback host', async () => {
      const res = await call(open, '/api/info', {}, { host: `127.0.0.1:${open.address.port}` });
      assert.equal(res.status, 200);
      assert.ok(Array.isArray(res.json()['result'] && (res.json()['result'] as { nodes: unknown })['nodes']));
    });

    it('refuses a request whose Host is not loopback (DNS rebinding) with 403', async () => {
      const res = await call(open, '/api/publish', { channel: 'r', data: 1 }, { host: 'evil.example' });
      assert.equal(res.status, 403);
    });
  });

  describe('HTTP errors', () => {
    it('answers an unknown method with 404', async () => {
      assert.equal((await call(gateway, '/api/explode', {})).status, 404);
    });

    it('answers another verb than POST with 405', async () => {
      assert.equal((await call(gateway, '/api/info', '', { 'x-api-key': KEY }, 'GET')).status, 405);
    });

    it('answers a body that is not a JSON object with 400', async () => {
      assert.equal((await call(gateway, '/api/publish', '{"channel":')).status, 400);
      assert.equal((await call(gateway, '/api/publish', '[1]')).status, 400);
    });

    it('answers a method error with 200 and a Centrifugo error object (107 without a channel)', async () => {
      const body = await api(gateway, 'publish', { data: { a: 1 } });
      assert.equal((body['error'] as { code: number }).code, 107);
    });
  });

  describe('publish and broadcast', () => {
    it('publishes an object to SDK subscribers as the value and to text clients as its JSON text', async () => {
      const c = await sdk(gateway);
      const got = await subscribed(c, 'pub-obj');
      const t = await text('pub-obj');
      assert.deepEqual(await api(gateway, 'publish', { channel: 'pub-obj', data: { text: 'hi' } }), {
        result: {},
      });
      assert.deepEqual((await arrived(got))[0]?.data, { text: 'hi' });
      await t.waitForCount('{"text":"hi"}', 1);
    });

    it('publishes a string as a string to both, and carries tags to SDK subscribers', async () => {
      const c = await sdk(gateway);
      const got = await subscribed(c, 'pub-str');
      const t = await text('pub-str');
      await api(gateway, 'publish', { channel: 'pub-str', data: 'plain', tags: { k: 'v' } });
      const [pub] = await arrived(got);
      assert.equal(pub?.data, 'plain');
      assert.deepEqual(pub?.tags, { k: 'v' });
      await t.waitForCount('plain', 1);
    });

    it('broadcasts to several channels with one response per channel', async () => {
      const c = await sdk(gateway);
      const a = await subscribed(c, 'bc-a');
      const b = await subscribed(c, 'bc-b');
      const body = await api(gateway, 'broadcast', { channels: ['bc-a', 'bc-b', ''], data: [1, 2] });
      const { responses } = body['result'] as { responses: Record<string, unknown>[] };
      assert.deepEqual(responses.slice(0, 2), [{ result: {} }, { result: {} }]);
      assert.equal((responses[2]?.['error'] as { code: number }).code, 107);
      assert.deepEqual((await arrived(a))[0]?.data, [1, 2]);
      assert.deepEqual((await arrived(b))[0]?.data, [1, 2]);
    });
  });

  describe('server-side operations on a user', () => {
    it("subscribes the user's connections: a subscribe push with data, then the channel's publications", async () => {
      const c = await sdk(gateway, 'sub-user');
      const ctx = await within<{ channel: string; data?: unknown }>('server-side subscribed', (done) => {
        c.once('subscribed', done);
        void api(gateway, 'subscribe', { user: 'sub-user', channel: 'server-sub', data: { why: 'api' } });
      });
      assert.equal(ctx.channel, 'server-sub');
      assert.deepEqual(ctx.data, { why: 'api' });
      const pub = await within<PublicationContext>('server-side publication', (done) => {
        c.once('publication', done);
        void api(gateway, 'publish', { channel: 'server-sub', data: 'to server sub' });
      });
      assert.equal(pub.channel, 'server-sub');
      assert.equal(pub.data, 'to server sub');
    });

    it("unsubscribes the user's connections from a channel with code 2000", async () => {
      const c = await sdk(gateway, 'unsub-user');
      const sub = c.newSubscription('unsub-room');
      await within('subscribed', (done) => {
        sub.once('subscribed', done);
        sub.subscribe();
      });
      const ctx = await within<{ code: number }>('unsubscribed', (done) => {
        sub.once('unsubscribed', done);
        void api(gateway, 'unsubscribe', { user: 'unsub-user', channel: 'unsub-room' });
      });
      assert.equal(ctx.code, 2000);
      assert.deepEqual(await gateway.members('unsub-room'), []);
    });

    it('disconnects the user with 3503 (force, no reconnect) by default', async () => {
      const c = await sdk(gateway, 'dis-user');
      const ctx = await within<{ code: number }>('disconnected', (done) => {
        c.once('disconnected', done);
        void api(gateway, 'disconnect', { user: 'dis-user' });
      });
      assert.equal(ctx.code, 3503);
    });

    it('disconnects the clients of the user with a custom code, and spares whitelisted ones', async () => {
      const first = await sdk(gateway, 'dis-many');
      const spared = await sdk(gateway, 'dis-many');
      const ctx = await within<{ code: number; reason: string }>('disconnected', (done) => {
        first.once('disconnected', done);
        void api(gateway, 'disconnect', {
          user: 'dis-many',
          disconnect: { code: 4501, reason: 'bye' },
          whitelist: [clientIds.get(spared)],
        });
      });
      assert.deepEqual([ctx.code, ctx.reason], [4501, 'bye']);
      // A command sent now runs after the disconnect in the session's order: it succeeds only if spared.
      await subscribed(spared, 'still-here');
      assert.equal(spared.state, 'connected');
    });

    it('disconnects only the connection named by client', async () => {
      const named = await sdk(gateway, 'dis-one');
      const other = await sdk(gateway, 'dis-one');
      await within('disconnected', (done) => {
        named.once('disconnected', done);
        void api(gateway, 'disconnect', { user: 'dis-one', client: clientIds.get(named) });
      });
      await subscribed(other, 'still-here-too');
      assert.equal(other.state, 'connected');
    });

    it('refresh with expired closes the connection with 3005, after which the SDK reconnects', async () => {
      const c = await sdk(gateway, 'ref-user');
      const ctx = await within<{ code: number }>('connecting again', (done) => {
        c.once('connecting', done);
        void api(gateway, 'refresh', { user: 'ref-user', expired: true });
      });
      assert.equal(ctx.code, 3005);
    });

    it('refresh with expire_at gives a connection without expiry one, ending it with 3005 when due', async () => {
      const c = await sdk(gateway, 'expire-user');
      const started = Date.now();
      const ctx = await within<{ code: number }>(
        'connecting again',
        (done) => {
          c.once('connecting', done);
          void api(gateway, 'refresh', { user: 'expire-user', expire_at: Math.floor(Date.now() / 1000) + 1 });
        },
        8000,
      );
      assert.equal(ctx.code, 3005);
      assert.ok(Date.now() - started >= 900, 'not before the new expiry');
    });

    it('refuses a disconnect code outside 3000-4999 with 107', async () => {
      const body = await api(gateway, 'disconnect', { user: 'x', disconnect: { code: 1000, reason: '' } });
      assert.equal((body['error'] as { code: number }).code, 107);
    });
  });

  describe('channels, info, presence and history', () => {
    it('lists channels with their subscriber counts, filtered by a pattern', async () => {
      const t = await text('list-a1');
      await text('list-a2');
      await t.subscribe('other-b');
      const body = await api(gateway, 'channels', { pattern: 'list-a*' });
      assert.deepEqual(body['result'], {
        channels: { 'list-a1': { num_clients: 1 }, 'list-a2': { num_clients: 1 } },
      });
    });

    it('answers a pattern it cannot read with 107', async () => {
      const body = await api(gateway, 'channels', { pattern: '[z-a]' });
      assert.equal((body['error'] as { code: number }).code, 107);
    });

    it('describes this node: clients, users, channels, uptime', async () => {
      await sdk(gateway, 'info-user');
      const body = await api(gateway, 'info', {});
      const [node] = (body['result'] as { nodes: Record<string, unknown>[] }).nodes;
      assert.equal(node?.['uid'], gateway.nodeId);
      assert.ok((node?.['num_clients'] as number) >= 1);
      assert.ok((node?.['num_users'] as number) >= 1);
      assert.equal(typeof node?.['num_channels'], 'number');
      assert.equal(typeof node?.['uptime'], 'number');
    });

    it('keeps history: publish answers the position, history reads it, idempotent retries, history_remove', async () => {
      const first = (await api(gateway, 'publish', { channel: 'kept:1', data: { n: 1 } }))['result'] as {
        offset: number;
        epoch: string;
      };
      assert.equal(first.offset, 1);
      const retry = { channel: 'kept:1', data: 'two', idempotency_key: 'k-2' };
      assert.deepEqual((await api(gateway, 'publish', retry))['result'], { offset: 2, epoch: first.epoch });
      assert.deepEqual((await api(gateway, 'publish', retry))['result'], { offset: 2, epoch: first.epoch });
      await api(gateway, 'publish', { channel: 'kept:1', data: 'live only', skip_history: true });
      const history = (await api(gateway, 'history', { channel: 'kept:1', limit: 10 }))['result'] as {
        publications: { data: unknown; offset: number }[];
        offset: number;
        epoch: string;
      };
      assert.deepEqual(
        history.publications.map((p) => [p.offset, p.data]),
        [
          [1, { n: 1 }],
          [2, 'two'],
        ],
      );
      assert.deepEqual([history.offset, history.epoch], [2, first.epoch]);
      assert.deepEqual(await api(gateway, 'history_remove', { channel: 'kept:1' }), { result: {} });
      const after = (await api(gateway, 'history', { channel: 'kept:1', limit: 10 }))['result'] as {
        publications: unknown[];
        offset: number;
      };
      assert.deepEqual([after.publications.length, after.offset], [0, 2]);
    });

    it('shows presence of a channel that keeps it', async () => {
      const c = await sdk(gateway);
      await subscribed(c, 'kept:p');
      const presence = (await api(gateway, 'presence', { channel: 'kept:p' }))['result'] as {
        presence: Record<string, { user: string; client: string }>;
      };
      assert.equal(Object.keys(presence.presence).length, 1);
      assert.deepEqual((await api(gateway, 'presence_stats', { channel: 'kept:p' }))['result'], {
        num_clients: 1,
        num_users: 1,
      });
    });

    it('answers presence, presence_stats, history and history_remove with 108 where the channel keeps none', async () => {
      for (const method of ['presence', 'presence_stats', 'history', 'history_remove']) {
        const body = await api(gateway, method, { channel: 'room1' });
        assert.deepEqual(body, { error: { code: 108, message: 'not available' } }, method);
      }
    });
  });

  describe('batch and the old /api route', () => {
    it('runs a batch in order with one reply per command, errors included', async () => {
      const body = await api(gateway, 'batch', {
        commands: [
          { publish: { channel: 'b1', data: {} } },
          { nope: {} },
          { publish: { data: 1 } },
          { info: {} },
        ],
      });
      const replies = body['replies'] as Record<string, unknown>[];
      assert.equal(replies.length, 4);
      assert.deepEqual(replies[0], { publish: {} });
      assert.equal((replies[1]?.['error'] as { code: number }).code, 104);
      assert.equal((replies[2]?.['error'] as { code: number }).code, 107);
      assert.ok('info' in (replies[3] ?? {}));
    });

    it('runs a parallel batch and still answers in the order of the commands', async () => {
      const c = await sdk(gateway);
      const got = await subscribed(c, 'par');
      const commands = Array.from({ length: 50 }, (_, i) => ({ publish: { channel: 'par', data: { i } } }));
      const body = await api(gateway, 'batch', { commands, parallel: true });
      assert.deepEqual(
        body['replies'],
        commands.map(() => ({ publish: {} })),
      );
      assert.equal((await arrived(got, 50)).length, 50);
    });

    it('answers the old single route with one result line per method/params line', async () => {
      const lines = [
        { method: 'publish', params: { channel: 'legacy', data: 'x' } },
        { method: 'presence', params: { channel: 'legacy' } },
      ];
      const res = await call(gateway, '/api', lines.map((l) => JSON.stringify(l)).join('\n'));
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.split('\n').map((l) => JSON.parse(l) as unknown),
        [{ result: {} }, { error: { code: 108, message: 'not available' } }],
      );
    });
  });

  describe('across processes (two gateways on one bus)', () => {
    let a: Gateway;
    let b: Gateway;
    before(async () => {
      const bus = new MemoryBus();
      const store = new MemoryRoomStore();
      const config = testConfig({
        apiKey: KEY,
        tokenHmacSecretKey: SECRET,
        allowAnonymousConnect: 'true',
        channelDefaults: OPEN_ROOMS,
      });
      a = new Gateway(config, { store, broker: bus.broker(1), processIndex: 1 });
      b = new Gateway(config, { store, broker: bus.broker(2), processIndex: 2 });
      await Promise.all([a.listen(), b.listen()]);
    });
    after(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('subscribes and disconnects a user connected to the other process', async () => {
      const c = await sdk(b, 'remote-user');
      const ctx = await within<{ channel: string }>('server-side subscribed', (done) => {
        c.once('subscribed', done);
        void api(a, 'subscribe', { user: 'remote-user', channel: 'remote-room' });
      });
      assert.equal(ctx.channel, 'remote-room');
      const pub = await within<PublicationContext>('publication from the other process', (done) => {
        c.once('publication', done);
        void api(a, 'publish', { channel: 'remote-room', data: { n: 1 } });
      });
      assert.deepEqual(pub.data, { n: 1 });
      const dis = await within<{ code: number }>('disconnected', (done) => {
        c.once('disconnected', done);
        void api(a, 'disconnect', { user: 'remote-user' });
      });
      assert.equal(dis.code, 3503);
    });
  });
});
