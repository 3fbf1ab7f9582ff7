import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processOfConn, type Gateway } from '../../src/index.js';
import { startChat } from '../support/chat.js';
import { TestClient, wsUrl } from '../support/gateway.js';

describe('chat rooms over the text protocol', () => {
  let gateway: Gateway;
  const clients: TestClient[] = [];
  const open = async (): Promise<TestClient> => {
    const c = await TestClient.open(wsUrl(gateway));
    clients.push(c);
    return c;
  };

  before(async () => {
    gateway = await startChat();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.close();
  });

  it('answers ping with pong', async () => {
    const c = await open();
    assert.equal(await c.request('ping'), 'pong');
  });

  it('confirms subscribe and unsubscribe with the original texts', async () => {
    const c = await open();
    assert.equal(await c.request('subscribe|room1'), 'Subscribe roomNum:room1 success!');
    assert.equal(await c.request('unsubscribe|room1'), 'Unsubscribe roomNum:room1 success!');
  });

  it('answers unknown commands with the original text', async () => {
    const c = await open();
    assert.equal(await c.request('hello there'), 'Rsp from server: this is server');
    assert.equal(await c.request('nope|{"a":1}'), 'Rsp from server: this is server');
  });

  it('delivers a room message from a member of another room to the target room only', async () => {
    const [a, b, b2] = [await open(), await open(), await open()];
    await a.subscribe('r-a');
    await b.subscribe('r-b');
    await b2.subscribe('r-b');
    const atB = b.waitFor('hello b');
    const atB2 = b2.waitFor('hello b');
    assert.equal(await a.request('sendByRoom|{"roomNum":"r-b","message":"hello b"}'), 'SendByRoom success!');
    await Promise.all([atB, atB2]);
    // A broadcast sent afterwards arrives after any room delivery, so `a` having seen it proves it got no room copy.
    const marker = a.waitFor('marker-1');
    await gateway.broadcast('marker-1');
    await marker;
    assert.ok(!a.received.includes('hello b'));
  });

  it('delivers to the sender too when it is a member of the room', async () => {
    const a = await open();
    await a.subscribe('self-room');
    const mine = a.waitFor('to myself');
    a.ws.send('sendByRoom|{"roomNum":"self-room","message":"to myself"}');
    await mine;
  });

  it('keeps a JSON payload containing | intact (splits at the first | only)', async () => {
    const a = await open();
    await a.subscribe('pipes');
    const got = a.waitFor('a|b|c');
    a.ws.send('sendByRoom|{"roomNum":"pipes","message":"a|b|c"}');
    assert.equal(await got, 'a|b|c');
  });

  it('broadcasts to every open WebSocket connection', async () => {
    const [a, b] = [await open(), await open()];
    const both = Promise.all([a.waitFor('to all'), b.waitFor('to all'), a.waitFor('Broadcast success!')]);
    a.ws.send('broadcast|{"message":"to all"}');
    await both;
  });

  it('stops delivering a room to a connection that unsubscribed', async () => {
    const a = await open();
    await a.subscribe('gone');
    await a.request('unsubscribe|gone');
    await gateway.sendToRoom('gone', 'should not arrive');
    const marker = a.waitFor('marker-2');
    await gateway.broadcast('marker-2');
    await marker;
    assert.ok(!a.received.includes('should not arrive'));
  });

  it('removes a closed connection from every room', async () => {
    const a = await open();
    await a.subscribe('cleanup-1');
    await a.subscribe('cleanup-2');
    assert.equal((await gateway.members('cleanup-1')).length, 1);
    const closed = new Promise<void>((resolve) => gateway.once('close', () => resolve()));
    await a.close();
    await closed;
    assert.deepEqual(await gateway.members('cleanup-1'), []);
    assert.deepEqual(await gateway.members('cleanup-2'), []);
  });

  it('gives every connection a distinct numeric id', async () => {
    const ids = new Set<number>();
    const seen = new Promise<void>((resolve) => {
      const onOpen = (conn: { id: number }): void => {
        ids.add(conn.id);
        if (ids.size === 3) {
          gateway.off('open', onOpen);
          resolve();
        }
      };
      gateway.on('open', onOpen);
    });
    await Promise.all([open(), open(), open()]);
    await seen;
    assert.equal(ids.size, 3);
    for (const id of ids) assert.ok(Number.isInteger(id) && id > 0);
  });

  it('handles frames of one connection in order, so a send right after subscribe reaches the sender', async () => {
    const a = await open();
    const got = a.waitFor('ordered');
    a.ws.send('subscribe|ordered-room');
    a.ws.send('sendByRoom|{"roomNum":"ordered-room","message":"ordered"}');
    await got;
  });
});

describe('connection ids across processes', () => {
  it('derive from the process index so the holder of a connection can be found', async () => {
    const gateway = await startChat({}, { processIndex: 5 });
    const opened = new Promise<number>((resolve) => gateway.once('open', (conn) => resolve(conn.id)));
    const c = await TestClient.open(wsUrl(gateway));
    const id = await opened;
    assert.equal(processOfConn(id), 5);
    const got = c.waitFor('just you');
    await gateway.sendTo(id, 'just you');
    await got;
    await c.close();
    await gateway.close();
  });
});
