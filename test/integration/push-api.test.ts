import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../../src/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

async function call(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('HTTP push API and controllers', () => {
  let gateway: Gateway;
  let member: TestClient;
  let other: TestClient;

  before(async () => {
    gateway = await startChat();
    member = await TestClient.open(wsUrl(gateway));
    other = await TestClient.open(wsUrl(gateway));
    await member.subscribe('room1');
  });
  after(async () => {
    await member.close();
    await other.close();
    await gateway.close();
  });

  it('answers /Index/index and / like the original', async () => {
    assert.deepEqual((await call(`${gateway.url}/Index/index`)).body, 'index success!!');
    assert.deepEqual((await call(`${gateway.url}/`)).body, 'index success!!');
  });

  it('redirects /clients to /clients/ so the pages resolve their relative links', async () => {
    const res = await fetch(`${gateway.url}/clients`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/clients/');
  });

  it('serves the chat pages', async () => {
    const res = await fetch(`${gateway.url}/clients/client1.html`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /room1/);
  });

  it('does not serve files outside the pages folder', async () => {
    const res = await fetch(`${gateway.url}/clients/..%2f..%2fpackage.json`);
    assert.notEqual(res.status, 200);
  });

  it('sends browsers asking for / to the chat pages', async () => {
    const res = await fetch(`${gateway.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/clients/');
  });

  it('pushes to a room by GET', async () => {
    const got = member.waitFor('by get');
    const res = await call(`${gateway.url}/Index/pushByRoom?roomNum=room1&message=by%20get`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'pushBy room success');
    await got;
  });

  it('pushes to a room by POST with a form body', async () => {
    const got = member.waitFor('by form');
    const res = await call(`${gateway.url}/Index/pushByRoom`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'roomNum=room1&message=by+form',
    });
    assert.equal(res.body, 'pushBy room success');
    await got;
  });

  it('pushes to a room by POST with a JSON body', async () => {
    const got = member.waitFor('by json');
    const res = await call(`${gateway.url}/Index/pushByRoom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roomNum: 'room1', message: 'by json' }),
    });
    assert.equal(res.body, 'pushBy room success');
    await got;
  });

  it('pushes to every connection with pushAll', async () => {
    const both = Promise.all([member.waitFor('to everyone'), other.waitFor('to everyone')]);
    const res = await call(`${gateway.url}/Index/pushAll?message=to%20everyone`);
    assert.equal(res.body, 'pushBy all success');
    await both;
  });

  it('refuses HEAD on actions instead of running them', async () => {
    const res = await fetch(`${gateway.url}/Index/pushAll?message=by%20head`, { method: 'HEAD' });
    assert.equal(res.status, 405);
    const marker = member.waitFor('after head');
    await gateway.broadcast('after head');
    await marker;
    assert.ok(!member.received.includes('by head'));
  });

  it('routes controller and action names case-insensitively', async () => {
    const got = member.waitFor('any case');
    assert.equal(
      (await call(`${gateway.url}/index/pushbyroom?roomNum=room1&message=any%20case`)).status,
      200,
    );
    await got;
  });

  it('answers the monitor probe with valid JSON', async () => {
    const res = await call(`${gateway.url}/monitor/monitor`);
    assert.equal(res.status, 200);
    assert.match(res.type, /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), { code: 0 });
  });

  it('answers unknown routes with 404 and a JSON body', async () => {
    const res = await call(`${gateway.url}/Nope/nothing`);
    assert.equal(res.status, 404);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  for (const [what, query, code] of [
    ['a missing message', 'roomNum=room1', 'MISSING_FIELD'],
    ['a missing room', 'message=x', 'MISSING_FIELD'],
    ['a room with control characters', 'roomNum=a%0Ab&message=x', 'BAD_ROOM'],
    ['a room name that is too long', `roomNum=${'r'.repeat(129)}&message=x`, 'BAD_ROOM'],
  ] as const) {
    it(`rejects ${what} with 400 and a JSON error`, async () => {
      const res = await call(`${gateway.url}/Index/pushByRoom?${query}`);
      assert.equal(res.status, 400);
      assert.match(res.type, /^application\/json/);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, code);
    });
  }

  it('rejects a malformed JSON body with 400', async () => {
    const res = await call(`${gateway.url}/Index/pushAll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message":',
    });
    assert.equal(res.status, 400);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'BAD_PAYLOAD');
  });

  it('rejects a body over the configured limit with 413', async () => {
    const res = await call(`${gateway.url}/Index/pushAll`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `message=${'x'.repeat(gateway.config.maxHttpBodyBytes + 1)}`,
    });
    assert.equal(res.status, 413);
  });

  it('rejects a message longer than maxMessageLength with 400', async () => {
    const res = await call(`${gateway.url}/Index/pushAll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(gateway.config.maxMessageLength + 1) }),
    });
    assert.equal(res.status, 400);
  });
});

describe('push API with a token', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat({ pushToken: 's3cret' });
  });
  after(() => gateway.close());

  it('refuses a push without the token with 401', async () => {
    const res = await call(`${gateway.url}/Index/pushAll?message=x`);
    assert.equal(res.status, 401);
    assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  });

  it('refuses a wrong token with 401', async () => {
    const res = await call(`${gateway.url}/Index/pushAll?message=x`, {
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(res.status, 401);
  });

  it('accepts the right token', async () => {
    const res = await call(`${gateway.url}/Index/pushAll?message=x`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'pushBy all success');
  });

  it('does not ask for the token on non-push routes', async () => {
    assert.equal((await call(`${gateway.url}/monitor/monitor`)).status, 200);
  });
});
