import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { CloseCode, type Gateway } from '../../src/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

type ErrorReply = { code: string; message: string };
function parseError(frame: string): ErrorReply {
  assert.ok(frame.startsWith('error|'), `expected an error reply, got ${frame}`);
  return JSON.parse(frame.slice('error|'.length)) as ErrorReply;
}

describe('bad input from WebSocket clients', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat({ maxFrameBytes: 1024, maxRoomNameLength: 16, maxMessageLength: 100 });
  });
  after(() => gateway.close());

  it('closes a connection that sends a frame over maxFrameBytes with 1009', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    c.ws.send('x'.repeat(1025));
    assert.equal((await c.closed).code, CloseCode.MessageTooBig);
  });

  it('closes a connection that sends invalid UTF-8 in a text frame with 1007', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    c.ws.send(Buffer.from([0x70, 0xff, 0xfe]), { binary: false });
    assert.equal((await c.closed).code, CloseCode.InvalidPayload);
  });

  it('answers a malformed JSON payload with an error and keeps the connection', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    assert.equal(parseError(await c.request('sendByRoom|{"roomNum":')).code, 'BAD_PAYLOAD');
    await c.sync();
    await c.close();
  });

  it('answers a payload that is not an object with BAD_PAYLOAD', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    assert.equal(parseError(await c.request('broadcast|[1,2]')).code, 'BAD_PAYLOAD');
    await c.close();
  });

  it('answers a missing field with MISSING_FIELD and keeps the connection', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    assert.equal(parseError(await c.request('sendByRoom|{"roomNum":"room1"}')).code, 'MISSING_FIELD');
    assert.equal(parseError(await c.request('broadcast|{}')).code, 'MISSING_FIELD');
    assert.equal(parseError(await c.request('subscribe')).code, 'MISSING_FIELD');
    await c.sync();
    await c.close();
  });

  it('rejects room names that are too long or hold control characters', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    assert.equal(parseError(await c.request(`subscribe|${'r'.repeat(17)}`)).code, 'BAD_ROOM');
    assert.equal(parseError(await c.request('subscribe|a\u0007b')).code, 'BAD_ROOM');
    assert.equal(
      parseError(await c.request('sendByRoom|{"roomNum":"a\\nb","message":"x"}')).code,
      'BAD_ROOM',
    );
    assert.deepEqual(await gateway.store.rooms(), []);
    await c.close();
  });

  it('rejects a message longer than maxMessageLength', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    const reply = await c.request(`broadcast|${JSON.stringify({ message: 'm'.repeat(101) })}`);
    assert.equal(parseError(reply).code, 'BAD_PARAM');
    await c.close();
  });

  it('answers a binary frame with an error and keeps the connection', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    const reply = c.waitFor(() => true);
    c.ws.send(Buffer.from('ping'), { binary: true });
    assert.equal(parseError(await reply).code, 'BAD_PAYLOAD');
    await c.sync();
    await c.close();
  });

  it('answers a garbage HTTP request with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(gateway.address.port, '127.0.0.1', () => s.write('NOT HTTP\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await fetch(`${gateway.url}/monitor/monitor`)).status, 200);
  });
});

describe('slow consumers', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat({ maxBufferedBytes: 64 * 1024 });
  });
  after(() => gateway.close());

  it('closes a connection whose unsent buffer passes maxBufferedBytes with 4008', async () => {
    const c = await TestClient.open(wsUrl(gateway));
    await c.subscribe('slow');
    const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    const slow = new Promise<void>((resolve) => gateway.once('slowConsumer', () => resolve()));
    let flagged = false;
    void slow.then(() => (flagged = true));
    const chunk = 'z'.repeat(60 * 1024);
    // Bounded: the kernel buffers a few MiB on loopback, far below 4000 x 60 KiB.
    for (let i = 0; i < 4000 && !flagged; i++) {
      await gateway.sendToRoom('slow', chunk);
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    await slow;
    socket.resume();
    assert.equal((await c.closed).code, CloseCode.SlowConsumer);
  });
});

describe('connection limits and shutdown', () => {
  it('refuses upgrades past maxConnections with 503', async () => {
    const gateway = await startChat({ maxConnections: 1 });
    const first = await TestClient.open(wsUrl(gateway));
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl(gateway));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 503);
    await first.close();
    await gateway.close();
  });

  it('closes clients with 1001 on shutdown', async () => {
    const gateway = await startChat();
    const c = await TestClient.open(wsUrl(gateway));
    await c.subscribe('bye');
    await gateway.close();
    assert.equal((await c.closed).code, CloseCode.GoingAway);
  });

  it('cuts clients that do not answer the close within the grace time', async () => {
    const gateway = await startChat({ shutdownGraceMs: 50 });
    const c = await TestClient.open(wsUrl(gateway));
    (c.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    await gateway.close();
    assert.equal(gateway.connectionCount, 0);
    c.ws.terminate();
  });
});

describe('JSON protocol chosen per connection', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startChat();
  });
  after(() => gateway.close());

  it('is selected by the tars-ws.json subprotocol and shares rooms with text clients', async () => {
    const j = await TestClient.open(wsUrl(gateway), 'tars-ws.json');
    const t = await TestClient.open(wsUrl(gateway));
    assert.equal(j.ws.protocol, 'tars-ws.json');
    const sub = JSON.parse(await j.request('{"cmd":"subscribe","data":"mixed","id":7}')) as Record<
      string,
      unknown
    >;
    assert.deepEqual(sub, { id: 7, cmd: 'subscribe', ok: true, data: 'Subscribe roomNum:mixed success!' });
    await t.subscribe('mixed');
    const atJ = j.waitFor(() => true);
    const atT = t.waitFor('from text');
    t.ws.send('sendByRoom|{"roomNum":"mixed","message":"from text"}');
    assert.deepEqual(JSON.parse(await atJ), { push: { message: 'from text', room: 'mixed' } });
    await atT;
    await j.close();
    await t.close();
  });

  it('is selected by ?protocol=json and reports errors as JSON', async () => {
    const j = await TestClient.open(`${wsUrl(gateway)}?protocol=json`);
    const reply = JSON.parse(await j.request('{"cmd":"sendByRoom","data":{"roomNum":"x"},"id":"a"}')) as {
      ok: boolean;
      error: ErrorReply;
    };
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, 'MISSING_FIELD');
    assert.equal(
      (JSON.parse(await j.request('not json')) as { error: ErrorReply }).error.code,
      'BAD_PAYLOAD',
    );
    await j.close();
  });
});

describe('origins', () => {
  it('refuses WebSocket upgrades from origins not in allowedOrigins with 403', async () => {
    const gateway = await startChat({ allowedOrigins: 'https://app.example' });
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl(gateway), { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    assert.equal(status, 403);
    const allowed = await TestClient.open(wsUrl(gateway), undefined, { origin: 'https://app.example' });
    const sameOrigin = await TestClient.open(wsUrl(gateway), undefined, { origin: gateway.url });
    const noOrigin = await TestClient.open(wsUrl(gateway));
    await Promise.all([allowed.close(), sameOrigin.close(), noOrigin.close()]);
    await gateway.close();
  });

  it('refuses cross-site push requests when no token is configured', async () => {
    const gateway = await startChat();
    const cross = await fetch(`${gateway.url}/Index/pushAll?message=x`, {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(cross.status, 403);
    const fetchSite = await fetch(`${gateway.url}/Index/pushAll?message=x`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(fetchSite.status, 403);
    const same = await fetch(`${gateway.url}/Index/pushAll?message=x`, { headers: { origin: gateway.url } });
    assert.equal(same.status, 200);
    await gateway.close();
  });
});

describe('traffic observer', () => {
  it('sees every handled command and answered HTTP request', async () => {
    const gateway = await startChat();
    const seen: string[] = [];
    gateway.observe({
      message: (cmd, ok) => seen.push(`ws ${cmd} ${ok}`),
      http: (route, status) => seen.push(`http ${route} ${status}`),
    });
    const c = await TestClient.open(wsUrl(gateway));
    await c.sync();
    await c.request('subscribe|');
    await c.close();
    await (await fetch(`${gateway.url}/monitor/monitor`)).text();
    await (await fetch(`${gateway.url}/nope`)).text();
    assert.deepEqual(seen, [
      'ws ping true',
      'ws subscribe false',
      'http /monitor/monitor 200',
      'http /nope 404',
    ]);
    await gateway.close();
  });
});
