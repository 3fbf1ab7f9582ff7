import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { validateRoomId } from '../../src/store/room-store.js';

const isBadRoom = (err: unknown): boolean => err instanceof GatewayError && err.code === ErrorCode.BadRoom;

describe('validateRoomId', () => {
  it('returns a plain room name unchanged', () => {
    assert.equal(validateRoomId('room1'), 'room1');
  });

  it('accepts unicode, spaces, slashes and dots: stores never use the key as a path', () => {
    for (const room of ['房间 1', '../../etc/passwd', 'a/b', 'CON', '\u{1F600}', 'caf\u00e9', ' ']) {
      assert.equal(validateRoomId(room), room);
    }
  });

  it('rejects values that are not strings', () => {
    for (const value of [undefined, null, 1, true, {}, ['room1']]) {
      assert.throws(() => validateRoomId(value), isBadRoom);
    }
  });

  it('rejects the empty string', () => {
    assert.throws(() => validateRoomId(''), isBadRoom);
  });

  it('accepts exactly the maximum length and rejects one character more', () => {
    assert.equal(validateRoomId('a'.repeat(128)), 'a'.repeat(128));
    assert.throws(() => validateRoomId('a'.repeat(129)), isBadRoom);
  });

  it('counts characters, not UTF-16 units, so emoji count once', () => {
    const emoji = '\u{1F600}'.repeat(128); // 256 UTF-16 units
    assert.equal(validateRoomId(emoji), emoji);
    assert.throws(() => validateRoomId(emoji + 'a'), isBadRoom);
  });

  it('honours a custom maximum length', () => {
    assert.equal(validateRoomId('abcd', 4), 'abcd');
    assert.throws(() => validateRoomId('abcde', 4), isBadRoom);
  });

  it('rejects C0 control characters, DEL and C1 control characters', () => {
    for (const ch of [
      '\u0000',
      '\t',
      '\n',
      '\r',
      '\u001b',
      '\u001f',
      '\u007f',
      '\u0080',
      '\u0085',
      '\u009f',
    ]) {
      assert.throws(() => validateRoomId(`room${ch}1`), isBadRoom, JSON.stringify(ch));
    }
  });

  it('accepts the characters right next to the control ranges', () => {
    for (const ch of ['\u0020', '\u007e', '\u00a0']) assert.equal(validateRoomId(`a${ch}b`), `a${ch}b`);
  });

  it('reports the problem as a 400 with the BAD_ROOM code', () => {
    assert.throws(
      () => validateRoomId(''),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.code === 'BAD_ROOM',
    );
  });
});
