import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, GatewayError, isLoopback, jsonProtocol, textProtocol } from '../../src/index.js';

describe('text protocol (cmd|payload)', () => {
  it('splits at the first | only', () => {
    assert.deepEqual(textProtocol.decode('sendByRoom|{"message":"a|b"}'), {
      cmd: 'sendByRoom',
      data: '{"message":"a|b"}',
    });
  });

  it('reads a bare command as having no payload', () => {
    assert.deepEqual(textProtocol.decode('ping'), { cmd: 'ping', data: undefined });
  });

  it('keeps an empty payload as an empty string', () => {
    assert.deepEqual(textProtocol.decode('subscribe|'), { cmd: 'subscribe', data: '' });
  });

  it('sends replies and pushes as bare text', () => {
    assert.equal(textProtocol.encodeReply({ cmd: 'ping', data: undefined }, 'pong'), 'pong');
    assert.equal(textProtocol.encodePush({ message: 'hi', room: 'r' }), 'hi');
  });

  it('encodes errors as error|{code,message}', () => {
    const frame = textProtocol.encodeError(undefined, new GatewayError(ErrorCode.BadRoom, 'nope'));
    assert.equal(frame, 'error|{"code":"BAD_ROOM","message":"nope"}');
  });
});

describe('JSON protocol', () => {
  it('decodes cmd, data and id', () => {
    assert.deepEqual(jsonProtocol.decode('{"cmd":"subscribe","data":"r","id":3}'), {
      cmd: 'subscribe',
      data: 'r',
      id: 3,
    });
  });

  it('rejects frames that are not JSON objects with a cmd', () => {
    for (const bad of ['nope', '[]', '1', '{"data":1}', '{"cmd":5}']) {
      assert.throws(
        () => jsonProtocol.decode(bad),
        (e: unknown) => e instanceof GatewayError && e.status === 400,
      );
    }
  });

  it('echoes the id in replies and errors', () => {
    const msg = { cmd: 'x', data: undefined, id: 'q' };
    assert.deepEqual(JSON.parse(jsonProtocol.encodeReply(msg, 'ok')), {
      id: 'q',
      cmd: 'x',
      ok: true,
      data: 'ok',
    });
    const err = JSON.parse(jsonProtocol.encodeError(msg, new GatewayError(ErrorCode.BadPayload, 'bad'))) as {
      id: string;
      ok: boolean;
    };
    assert.equal(err.id, 'q');
    assert.equal(err.ok, false);
  });

  it('answers a JSON value as data (history, presence); the text protocol has no such replies', () => {
    const msg = { cmd: 'history', data: { room: 'r' }, id: 2 };
    const data = { room: 'r', offset: 1, epoch: 'e', publications: [{ offset: 1, message: 'hi' }] };
    assert.deepEqual(JSON.parse(jsonProtocol.encodeResult!(msg, data)), {
      id: 2,
      cmd: 'history',
      ok: true,
      data,
    });
    assert.equal(textProtocol.encodeResult, undefined);
  });
});

describe('loopback detection for the push API', () => {
  it('accepts IPv4 loopback, IPv6 loopback and IPv4-mapped loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  });
  it('refuses other addresses', () => {
    for (const a of ['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '128.0.0.1', undefined])
      assert.ok(!isLoopback(a));
  });
});
