import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PublicationContext } from 'centrifuge';
import { DEFAULT_CHANNEL_OPTIONS, type Gateway } from '../../src/index.js';
import { hs256, SdkClients, SECRET, subscribed, within } from '../support/centrifuge.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const now = (): number => Math.floor(Date.now() / 1000);
const code = (expected: number) => (err: unknown) => (err as { code?: number }).code === expected;

/** A raw protocol client: sends one command and returns its reply object. */
async function raw(gateway: Gateway): Promise<{
  client: TestClient;
  call: (cmd: Record<string, unknown>) => Promise<Record<string, unknown>>;
}> {
  const client = await TestClient.open(wsUrl(gateway, '/connection/websocket'));
  let id = 0;
  const call = async (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const mine = ++id;
    const reply = client.waitFor((m) => m.includes(`"id":${mine}`));
    client.ws.send(JSON.stringify({ id: mine, ...cmd }));
    return JSON.parse(await reply) as Record<string, unknown>;
  };
  return { client, call };
}

describe('Centrifugo connection and subscription tokens', () => {
  let gateway: Gateway;
  const sdk = new SdkClients(() => gateway);
  const raws: TestClient[] = [];
  const open = async () => {
    const r = await raw(gateway);
    raws.push(r.client);
    return r;
  };

  before(async () => {
    gateway = await startChat({
      tokenHmacSecretKey: SECRET,
      centrifugeExpiredCloseDelayMs: 500,
      // Nothing is allowed without a token: each grant below comes from one.
      namespaces: [{ ...DEFAULT_CHANNEL_OPTIONS, name: 'private' }],
    });
  });
  after(async () => {
    sdk.closeAll();
    await Promise.all(raws.map((r) => r.close()));
    await gateway.close();
  });

  it('subscribes with a subscription token where the options allow nothing', async () => {
    const c = await sdk.connected({ token: await hs256({ sub: 'alice' }, 60) });
    await assert.rejects(subscribed(c.newSubscription('private:a')), code(103));
    const token = await hs256({ sub: 'alice', channel: 'private:b' }, 60);
    await subscribed(c.newSubscription('private:b', { token }));
  });

  it('closes with 3500 for a subscription token of another channel or another user', async () => {
    for (const claims of [
      { sub: 'alice', channel: 'private:other' },
      { sub: 'mallory', channel: 'private:c' },
    ]) {
      const { client, call } = await open();
      await call({ connect: { token: await hs256({ sub: 'alice' }, 60) } });
      client.ws.send(
        JSON.stringify({ id: 9, subscribe: { channel: 'private:c', token: await hs256(claims, 60) } }),
      );
      assert.equal((await client.closed).code, 3500);
    }
  });

  it('answers 109 for an expired subscription token, and the SDK subscribes with the one getToken gives', async () => {
    const c = await sdk.connected({ token: await hs256({ sub: 'alice' }, 60) });
    let asked = 0;
    const sub = c.newSubscription('private:d', {
      token: await hs256({ sub: 'alice', channel: 'private:d' }, -10),
      getToken: async () => {
        asked++;
        return hs256({ sub: 'alice', channel: 'private:d' }, 60);
      },
    });
    const errors: number[] = [];
    sub.on('error', (ctx) => errors.push(ctx.error.code));
    await within('subscribed', (done) => {
      sub.once('subscribed', done);
      sub.subscribe();
    });
    assert.deepEqual(errors, [109]);
    assert.equal(asked, 1);
  });

  it('refreshes an expiring subscription with sub_refresh through getToken, and keeps it', async () => {
    const c = await sdk.connected({ token: await hs256({ sub: 'alice' }, 60) });
    const refreshed = within<void>('second getToken', (done) => {
      let asked = 0;
      const sub = c.newSubscription('private:e', {
        getToken: async () => {
          if (++asked === 2) setImmediate(done);
          // The first token expires within 2 s (not 1: it must not be expired on arrival); the SDK asks again before then.
          return hs256({ sub: 'alice', channel: 'private:e' }, asked === 1 ? 2 : 60);
        },
      });
      void subscribed(sub);
    });
    await refreshed;
    const sub = c.getSubscription('private:e');
    const got = within<PublicationContext>('publication after refresh', (done) =>
      sub?.on('publication', done),
    );
    // Past the first token's expiry and the grace: still subscribed.
    await new Promise((r) => setTimeout(r, 2200));
    await gateway.sendToRoom('private:e', 'still here');
    assert.equal((await got).data, 'still here');
  });

  it('ends a subscription not refreshed in time with an unsubscribe push 2501', async () => {
    const { client, call } = await open();
    await call({ connect: { token: await hs256({ sub: 'alice' }, 60) } });
    const reply = await call({
      // 2 s, not 1: a 1 s token made at the end of a second could already be expired when it arrives.
      subscribe: { channel: 'private:f', token: await hs256({ sub: 'alice', channel: 'private:f' }, 2) },
    });
    assert.equal((reply['subscribe'] as { expires?: boolean }).expires, true);
    const push = JSON.parse(await client.waitFor(/unsubscribe/, { withinMs: 5000 })) as {
      push: { channel: string; unsubscribe: { code: number } };
    };
    assert.equal(push.push.channel, 'private:f');
    assert.equal(push.push.unsubscribe.code, 2501);
  });

  it('subscribes server-side to the token subs, with their info in publications', async () => {
    const token = await hs256({ sub: 'bob', subs: { 'private:g': { info: { role: 'editor' } } } }, 60);
    const c = sdk.make({ token });
    const got = within<{ channel: string }>('server-side subscribed', (done) => c.on('subscribed', done));
    c.connect();
    assert.equal((await got).channel, 'private:g');
    const pub = within<PublicationContext>('publication', (done) => c.on('publication', done));
    await gateway.sendToRoom('private:g', 'to bob');
    assert.equal((await pub).data, 'to bob');
  });

  it('answers connect 102 when the token names a channel of an unknown namespace', async () => {
    const { call } = await open();
    const reply = await call({ connect: { token: await hs256({ sub: 'bob', channels: ['nope:x'] }, 60) } });
    assert.equal((reply['error'] as { code: number }).code, 102);
  });

  it('refreshes an expiring connection through getToken and keeps it past the first expiry', async () => {
    const closes: number[] = [];
    gateway.on('close', (_conn, closeCode) => closes.push(closeCode));
    let asked = 0;
    const refreshed = within<void>('getToken for the refresh', (done) => {
      const c = sdk.make({
        getToken: async () => {
          // The first token (connect) expires within 2 s; the SDK asks for the next one before then.
          if (++asked === 2) setImmediate(done);
          return hs256({ sub: 'gina' }, asked === 1 ? 2 : 60);
        },
      });
      c.connect();
    });
    await refreshed;
    // Past the first token's expiry and the grace: the connection was not closed with 3005.
    await new Promise((r) => setTimeout(r, 2200));
    assert.deepEqual(closes, []);
  });

  it('closes a connection that does not refresh its token in time with 3005', async () => {
    const { client, call } = await open();
    const reply = await call({ connect: { token: await hs256({ sub: 'carol' }, 2) } });
    assert.equal((reply['connect'] as { expires?: boolean }).expires, true);
    assert.equal((await client.closed).code, 3005);
  });

  it('takes the expiry from expire_at over exp, and none when expire_at is 0', async () => {
    const a = await open();
    const soon = await a.call({ connect: { token: await hs256({ sub: 'dan', expire_at: now() + 2 }, 60) } });
    assert.ok(((soon['connect'] as { ttl?: number }).ttl ?? 99) <= 2);
    const b = await open();
    const never = await b.call({ connect: { token: await hs256({ sub: 'dan', expire_at: 0 }, 60) } });
    assert.equal((never['connect'] as { expires?: boolean }).expires, undefined);
  });

  it('refuses a subscription token used to connect with 3500', async () => {
    const { client } = await open();
    client.ws.send(
      JSON.stringify({ id: 1, connect: { token: await hs256({ sub: 'x', channel: 'private:a' }, 60) } }),
    );
    assert.equal((await client.closed).code, 3500);
  });

  it('closes with 3500 a refresh for another user', async () => {
    const { client, call } = await open();
    await call({ connect: { token: await hs256({ sub: 'erin' }, 60) } });
    client.ws.send(JSON.stringify({ id: 5, refresh: { token: await hs256({ sub: 'frank' }, 60) } }));
    assert.equal((await client.closed).code, 3500);
  });
});

describe('Centrifugo token audience and issuer', () => {
  let gateway: Gateway;
  const sdk = new SdkClients(() => gateway);
  before(async () => {
    gateway = await startChat({
      tokenHmacSecretKey: SECRET,
      tokenAudience: 'tars-ws',
      tokenIssuer: 'auth.example',
    });
  });
  after(async () => {
    sdk.closeAll();
    await gateway.close();
  });

  it('connects with the configured aud and iss', async () => {
    await sdk.connected({ token: await hs256({ sub: 'a', aud: 'tars-ws', iss: 'auth.example' }, 60) });
  });

  for (const [what, claims] of [
    ['audience', { sub: 'a', aud: 'other', iss: 'auth.example' }],
    ['issuer', { sub: 'a', aud: 'tars-ws', iss: 'other' }],
    ['missing audience', { sub: 'a', iss: 'auth.example' }],
  ] as const) {
    it(`closes with 3500 on a token with the wrong ${what}`, async () => {
      const c = sdk.make({ token: await hs256(claims, 60) });
      const dis = await within<{ code: number }>('disconnected', (done) => {
        c.once('disconnected', done);
        c.connect();
      });
      assert.equal(dis.code, 3500);
    });
  }
});
