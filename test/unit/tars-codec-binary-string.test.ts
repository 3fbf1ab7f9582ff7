/**
 * Binary strings in the codec: `writeStringBytes` / `readStringBytes` keep a `string` field's bytes as they are,
 * in the same wire form as `writeString`; `readString` counts what was not valid UTF-8 instead of hiding it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidUtf8Count, TarsReader, TarsValues, TarsWriter } from '../../src/tars/index.js';

const bytesOf = (n: number, from = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

function encode(write: (w: TarsWriter) => void): string {
  const w = new TarsWriter();
  write(w);
  return Buffer.from(w.toBytes()).toString('hex');
}

for (const n of [0, 1, 255, 256, 70000]) {
  test(`writeStringBytes of ${n} bytes has the wire form of writeString of the same text`, () => {
    const text = 'k'.repeat(n);
    assert.equal(
      encode((w) => w.writeStringBytes(3, Buffer.from(text))),
      encode((w) => w.writeString(3, text)),
    );
  });
}

test('readStringBytes returns every byte 0x00-0xFF as written, and a copy', () => {
  const raw = bytesOf(300, 0x80);
  const w = new TarsWriter();
  w.writeStringBytes(1, raw);
  const bytes = w.toBytes();
  const got = new TarsReader(bytes).readStringBytes(1, true, new Uint8Array(0));
  assert.deepEqual(Buffer.from(got), Buffer.from(raw));
  (bytes as Buffer).fill(0);
  assert.equal(got[0], 0x80);
});

test('readStringBytes reads a UTF-8 string written by writeString as its bytes', () => {
  const w = new TarsWriter();
  w.writeString(0, 'héllo');
  assert.deepEqual(
    Buffer.from(new TarsReader(w.toBytes()).readStringBytes(0, true, new Uint8Array(0))),
    Buffer.from('héllo'),
  );
});

test('readString counts a string that was not valid UTF-8, and not one holding a genuine U+FFFD', () => {
  const w = new TarsWriter();
  w.writeStringBytes(0, Uint8Array.from([0x61, 0xff, 0x62]));
  w.writeString(1, 'a\ufffdb');
  w.writeStringBytes(2, bytesOf(64, 0x70)); // long and invalid: the native path
  const r = new TarsReader(w.toBytes());
  const before = invalidUtf8Count();
  assert.equal(r.readString(0, true, ''), 'a\ufffdb');
  assert.equal(invalidUtf8Count() - before, 1);
  assert.equal(r.readString(1, true, ''), 'a\ufffdb');
  assert.equal(invalidUtf8Count() - before, 1);
  r.readString(2, true, '');
  assert.equal(invalidUtf8Count() - before, 2);
});

test('TarsValues.binaryString is a string on the wire and a TUP v2 "string"', () => {
  assert.equal(TarsValues.binaryString.typeName, 'string');
  assert.equal(
    encode((w) => TarsValues.binaryString.write(w, 0, Buffer.from('ab'))),
    encode((w) => TarsValues.string.write(w, 0, 'ab')),
  );
});
