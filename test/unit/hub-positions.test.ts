/**
 * The hub's side of recovery: pushes held during a subscribe, released after the history read without the ones
 * history already gave, and live duplicates below a connection's position dropped. Connections are doubles with
 * the fields delivery reads; the store is the memory one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerMessage } from '../../src/broker/broker.js';
import type { Connection } from '../../src/gateway/connection.js';
import { payloadText, type PreparedFrame } from '../../src/gateway/frame.js';
import { Hub } from '../../src/gateway/hub.js';
import { createLogger } from '../../src/logger.js';
import { centrifugeProtocol } from '../../src/protocol/centrifuge/index.js';
import { textProtocol } from '../../src/protocol/protocol-text.js';
import type { Protocol } from '../../src/protocol/protocol.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';

interface Double {
  conn: Connection;
  texts: string[];
  closed: number[];
}

let nextId = 1;
function double(protocol: Protocol): Double {
  const texts: string[] = [];
  const closed: number[] = [];
  const conn = {
    id: nextId++,
    protocol,
    rooms: new Set<string>(),
    receivesBroadcasts: true,
    everJoined: false,
    held: undefined,
    positions: undefined,
    sendFrame: (frame: PreparedFrame) => (texts.push(payloadText(frame)), true),
    close: (code: number) => closed.push(code),
  } as unknown as Connection;
  return { conn, texts, closed };
}

const pub = (offset: number | undefined, message = `m${offset}`, epoch = 'e'): BrokerMessage =>
  offset === undefined
    ? { kind: 'room', room: 'r', message }
    : { kind: 'room', room: 'r', message, pub: { offset, epoch } };
const at = (offset: number, epoch = 'e'): { offset: number; epoch: string } => ({ offset, epoch });

async function hubWith(...conns: Double[]): Promise<Hub> {
  const hub = new Hub(new MemoryRoomStore(), 100, createLogger('silent'), 4);
  for (const d of conns) {
    hub.add(d.conn);
    assert.equal(await hub.join(d.conn, 'r'), true);
  }
  return hub;
}

const offsets = (d: Double): unknown[] =>
  d.texts.map((t) => (JSON.parse(t) as { push: { pub: { offset?: number } } }).push.pub.offset);

describe('hub positions (recovery seam)', () => {
  it('holds pushes during a subscribe and releases only those after the recovered offset, in order', async () => {
    const sdk = double(centrifugeProtocol);
    const hub = await hubWith(sdk);
    hub.hold(sdk.conn, 'r');
    for (const o of [4, 5, 6, 7]) hub.deliver(pub(o));
    assert.deepEqual(sdk.texts, []);
    // History gave up to 5: 4 and 5 were in the subscribe reply.
    assert.equal(hub.release(sdk.conn, 'r', at(5)), 2);
    assert.deepEqual(offsets(sdk), [6, 7]);
  });

  it('drops a live publication at or below the position, and passes pushes without an offset', async () => {
    const sdk = double(centrifugeProtocol);
    const hub = await hubWith(sdk);
    hub.hold(sdk.conn, 'r');
    hub.release(sdk.conn, 'r', at(10));
    hub.deliver(pub(9));
    hub.deliver(pub(10));
    hub.deliver(pub(11));
    hub.deliver(pub(undefined, 'plain'));
    hub.deliver(pub(11));
    assert.deepEqual(offsets(sdk), [11, undefined]);
  });

  it('sends publications of a new epoch (the stream was lost) although their offsets are lower, then dedupes in it', async () => {
    const sdk = double(centrifugeProtocol);
    const hub = await hubWith(sdk);
    hub.hold(sdk.conn, 'r');
    hub.deliver(pub(2, 'held of the new epoch', 'e2'));
    hub.release(sdk.conn, 'r', at(10));
    hub.deliver(pub(3, 'm3', 'e2'));
    hub.deliver(pub(3, 'm3', 'e2'));
    assert.deepEqual(offsets(sdk), [2, 3]);
  });

  it('leaves other connections of the room alone: text clients get every push as it comes', async () => {
    const sdk = double(centrifugeProtocol);
    const text = double(textProtocol);
    const hub = await hubWith(sdk, text);
    hub.hold(sdk.conn, 'r');
    hub.deliver(pub(1, 'one'));
    hub.deliver(pub(1, 'one again'));
    assert.deepEqual(text.texts, ['one', 'one again']);
    hub.release(sdk.conn, 'r', at(0));
    assert.deepEqual(offsets(sdk), [1]);
  });

  it('closes a connection as a slow consumer when more pushes wait than the bound', async () => {
    const sdk = double(centrifugeProtocol);
    const hub = await hubWith(sdk);
    hub.hold(sdk.conn, 'r');
    for (const o of [1, 2, 3, 4, 5]) hub.deliver(pub(o));
    assert.deepEqual(sdk.closed, [4008]);
    assert.deepEqual(sdk.texts, []);
  });

  it('forgets the position when the connection leaves the room', async () => {
    const sdk = double(centrifugeProtocol);
    const hub = await hubWith(sdk);
    hub.hold(sdk.conn, 'r');
    hub.release(sdk.conn, 'r', at(5));
    await hub.leave(sdk.conn, 'r');
    await hub.join(sdk.conn, 'r');
    hub.deliver(pub(3));
    assert.deepEqual(offsets(sdk), [3]);
  });
});
