import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBrokerMessage, encodeBrokerMessage } from '../../src/broker/broker-codec.js';
import type { BrokerMessage } from '../../src/broker/broker.js';

describe('broker wire format', () => {
  it('round-trips every kind of message with its publisher', () => {
    const messages: BrokerMessage[] = [
      { kind: 'room', room: 'a,b\n', message: 'r1,2,x' },
      { kind: 'room', room: '', message: '' },
      { kind: 'all', message: 'c3,4,' },
      { kind: 'conn', conn: 2 ** 52 + 7, message: '\u{1F600}' },
    ];
    for (const msg of messages) {
      assert.deepEqual(decodeBrokerMessage(encodeBrokerMessage(2 ** 21 - 1, msg)), {
        publisher: 2 ** 21 - 1,
        msg,
      });
    }
  });

  it('is compact: the message text follows a short header unescaped', () => {
    assert.equal(
      encodeBrokerMessage(3, { kind: 'room', room: 'room1', message: '{"a":1}' }),
      'r3,5,room1{"a":1}',
    );
  });

  it('round-trips a room message with publication meta, the message text still unescaped', () => {
    const msg: BrokerMessage = {
      kind: 'room',
      room: 'chat:x',
      message: '{"text":"hi"}',
      pub: {
        json: true,
        offset: 42,
        epoch: 'e1',
        info: { user: 'alice', client: '7', conn_info: { n: 1 } },
        tags: { k: 'v' },
      },
    };
    const wire = encodeBrokerMessage(1, msg);
    assert.ok(wire.startsWith('p1,6,chat:x'));
    assert.ok(wire.endsWith('{"text":"hi"}'));
    assert.deepEqual(decodeBrokerMessage(wire), { publisher: 1, msg });
  });

  it('round-trips a join or leave event', () => {
    for (const event of ['join', 'leave'] as const) {
      const msg: BrokerMessage = {
        kind: 'presence',
        room: 'chat:x',
        event,
        info: { user: 'u', client: '3' },
      };
      assert.deepEqual(decodeBrokerMessage(encodeBrokerMessage(4, msg)), { publisher: 4, msg });
    }
    for (const bad of ['j1,{}', 'j1,{"room":"r","event":"kick","info":{"user":"u","client":"1"}}', 'j1,x']) {
      assert.equal(decodeBrokerMessage(bad), undefined, bad);
    }
  });

  it('keeps only meta fields of the expected types', () => {
    const meta = '{"json":"yes","offset":1.5,"epoch":3,"info":{"user":1},"tags":{"a":1,"b":"2"},"x":1}';
    assert.deepEqual(decodeBrokerMessage(`p0,1,r${meta.length},${meta}hi`), {
      publisher: 0,
      msg: { kind: 'room', room: 'r', message: 'hi', pub: { tags: { b: '2' } } },
    });
  });

  it('round-trips control messages and keeps only fields of the expected types', () => {
    const msg: BrokerMessage = {
      kind: 'control',
      user: 'u1',
      client: '5',
      whitelist: ['6'],
      op: { op: 'subscribe', channel: 'c', data: { x: 1 } },
    };
    assert.deepEqual(decodeBrokerMessage(encodeBrokerMessage(4, msg)), { publisher: 4, msg });
    assert.deepEqual(
      decodeBrokerMessage(
        'k0,{"user":"u","client":7,"whitelist":["a",1],"op":{"op":"unsubscribe","channel":"c","x":1}}',
      ),
      {
        publisher: 0,
        msg: { kind: 'control', user: 'u', whitelist: ['a'], op: { op: 'unsubscribe', channel: 'c' } },
      },
    );
    for (const bad of [
      'k0,{"op":{"op":"unsubscribe","channel":"c"}}',
      'k0,{"user":"u","op":{"op":"explode"}}',
      'k0,{"user":"u","op":{"op":"disconnect","code":"3000","reason":""}}',
      'k0,{"user":"u","op":{"op":"refresh","expired":false}}',
      'k0,[1]',
      'k0,{',
    ]) {
      assert.equal(decodeBrokerMessage(bad), undefined, bad);
    }
  });

  it('rejects text that is not a broker message', () => {
    for (const bad of [
      '',
      'x1,hi',
      'a',
      'r1,',
      'r1,99,short',
      'c1,x,hi',
      'a-1,hi',
      'r1,1e3,x',
      'p1,1,r',
      'p1,1,r9,{}',
      'p1,1,r2,[]x',
      'p1,1,r3,{x}',
    ]) {
      assert.equal(decodeBrokerMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
