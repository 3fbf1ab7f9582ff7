// Specification of TarsReader: tolerant of what peers send (narrower ints, omitted optionals, unknown tags),
// strict about what would be unsafe (truncation, hostile lengths, depth), and O(n) over a struct.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsDecodeError, TarsReader, TarsValues, TarsWriter } from '../../src/tars/codec/index.js';

const bytes = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

function encode(write: (w: TarsWriter) => void): Uint8Array {
  const w = new TarsWriter();
  write(w);
  return w.toBytes();
}

function isDecodeError(code: string, extra?: (e: TarsDecodeError) => boolean) {
  return (e: unknown): boolean => e instanceof TarsDecodeError && e.code === code && (extra?.(e) ?? true);
}

interface Inner {
  a: number;
  b: string;
}
const Inner = {
  name: 'Test.Inner',
  write: (w: TarsWriter, v: Inner): void => {
    w.writeInt32(0, v.a);
    w.writeString(1, v.b);
  },
  read: (r: TarsReader): Inner => ({ a: r.readInt32(0, true, 0), b: r.readString(1, false, 'dflt') }),
  create: (): Inner => ({ a: 0, b: 'dflt' }),
};

test('every type reads back what the writer wrote', () => {
  const buf = encode((w) => {
    w.writeBool(0, true);
    w.writeInt8(1, -128);
    w.writeInt16(2, -32768);
    w.writeInt32(3, -2147483648);
    w.writeInt64(4, -(2n ** 63n));
    w.writeUInt8(5, 255);
    w.writeUInt16(6, 65535);
    w.writeUInt32(7, 4294967295);
    w.writeFloat(8, 1.5);
    w.writeDouble(9, Math.PI);
    w.writeString(10, 'héllo ✓ 😀');
    w.writeBytes(11, new Uint8Array([0, 255]));
    w.writeList(12, ['a', 'b'], TarsValues.string.write);
    w.writeMap(13, new Map([[1, 2n]]), TarsValues.int32.write, TarsValues.int64.write);
    w.writeStruct(14, { a: 7, b: 'x' }, Inner.write);
    w.writeString(200, 'far');
  });
  const r = new TarsReader(buf);
  assert.equal(r.readBool(0, true, false), true);
  assert.equal(r.readInt8(1, true, 0), -128);
  assert.equal(r.readInt16(2, true, 0), -32768);
  assert.equal(r.readInt32(3, true, 0), -2147483648);
  assert.equal(r.readInt64(4, true, 0n), -(2n ** 63n));
  assert.equal(r.readUInt8(5, true, 0), 255);
  assert.equal(r.readUInt16(6, true, 0), 65535);
  assert.equal(r.readUInt32(7, true, 0), 4294967295);
  assert.equal(r.readFloat(8, true, 0), 1.5);
  assert.equal(r.readDouble(9, true, 0), Math.PI);
  assert.equal(r.readString(10, true, ''), 'héllo ✓ 😀');
  assert.deepEqual([...r.readBytes(11, true, new Uint8Array())], [0, 255]);
  assert.deepEqual(r.readList(12, true, TarsValues.string.read), ['a', 'b']);
  assert.deepEqual(r.readMap(13, true, TarsValues.int32.read, TarsValues.int64.read), new Map([[1, 2n]]));
  assert.deepEqual(r.readStruct(14, true, Inner.read, Inner.create), { a: 7, b: 'x' });
  assert.equal(r.readString(200, true, ''), 'far');
  assert.equal(r.remaining, 0);
});

test('a wider integer field accepts narrower wire types and type 12', () => {
  const buf = encode((w) => {
    w.writeInt8(0, 5);
    w.writeInt16(1, 300);
    w.writeInt32(2, 0);
    w.writeInt32(3, 70000);
  });
  const r = new TarsReader(buf);
  assert.equal(r.readInt64(0, true, 0n), 5n);
  assert.equal(r.readInt32(1, true, 0), 300);
  assert.equal(r.readInt8(2, true, 1), 0);
  assert.equal(r.readInt64(3, true, 0n), 70000n);
});

test('a narrower field refuses a wider wire type, naming the tag', () => {
  const r = new TarsReader(encode((w) => w.writeInt32(3, 70000)));
  assert.throws(
    () => r.readInt16(3, true, 0),
    isDecodeError('TARS_TYPE_MISMATCH', (e) => e.tag === 3),
  );
});

test('absent optional fields read as their defaults and absent required fields throw naming the tag', () => {
  const r = new TarsReader(encode((w) => w.writeInt32(5, 1)));
  assert.equal(r.readInt32(1, false, 9), 9);
  assert.equal(r.readString(2, false, 'd'), 'd');
  assert.deepEqual(r.readList(3, false, TarsValues.int32.read), []);
  assert.deepEqual(r.readMap(4, false, TarsValues.string.read, TarsValues.string.read), new Map());
  assert.equal(r.readInt32(5, true, 0), 1);
  assert.deepEqual(r.readStruct(6, false, Inner.read, Inner.create), { a: 0, b: 'dflt' });
  assert.throws(
    () => r.readInt32(7, true, 0),
    isDecodeError('TARS_REQUIRED_MISSING', (e) => e.tag === 7 && /tag 7/.test(e.message)),
  );
});

test('unknown fields of every type are skipped, nested structs, lists and maps included', () => {
  const buf = encode((w) => {
    w.writeInt32(0, 1);
    w.writeInt64(1, 2n ** 40n);
    w.writeFloat(2, 1);
    w.writeDouble(3, 1);
    w.writeString(4, 'x'.repeat(300));
    w.writeMap(5, new Map([['k', [1, 2]]]), TarsValues.string.write, TarsValues.list(TarsValues.int32).write);
    w.writeList(6, [{ a: 1, b: 'y' }], TarsValues.struct(Inner).write);
    w.writeStruct(7, { a: 1, b: 'z' }, Inner.write);
    w.writeBytes(8, new Uint8Array(3));
    w.writeInt8(9, 0);
    w.writeString(10, 'known');
  });
  const r = new TarsReader(buf);
  assert.equal(r.readInt32(0, true, 0), 1);
  assert.equal(r.readString(10, true, ''), 'known');
});

test('a struct read skips the fields it does not know up to the struct end', () => {
  const buf = encode((w) => {
    w.writeStruct(0, null, (sw) => {
      sw.writeInt32(0, 1);
      sw.writeString(1, 'b');
      sw.writeList(2, [1, 2, 3], TarsValues.int32.write);
      sw.writeStruct(3, { a: 1, b: '' }, Inner.write);
    });
    w.writeInt32(1, 99);
  });
  const r = new TarsReader(buf);
  const onlyA = (sr: TarsReader): number => sr.readInt32(0, true, 0);
  assert.equal(
    r.readStruct(0, true, onlyA, () => 0),
    1,
  );
  assert.equal(r.readInt32(1, true, 0), 99);
});

test('a struct with omitted optional fields (C++ style) decodes with defaults', () => {
  // {a: 42} at tag 4 with b omitted.
  const r = new TarsReader(bytes('4a 00 2a 0b'));
  assert.deepEqual(r.readStruct(4, true, Inner.read, Inner.create), { a: 42, b: 'dflt' });
});

test('the spec example struct decodes', () => {
  const r = new TarsReader(bytes('4a 00 2a 16 01 78 0b'));
  assert.deepEqual(r.readStruct(4, true, Inner.read, Inner.create), { a: 42, b: 'x' });
});

test('truncated input throws with the offset instead of reading past the end', () => {
  const full = encode((w) => {
    w.writeInt32(0, 70000);
    w.writeString(1, 'hello');
    w.writeInt64(2, 2n ** 40n);
  });
  for (let n = 1; n < full.length; n++) {
    const r = new TarsReader(full.subarray(0, n));
    assert.throws(
      () => {
        r.readInt32(0, true, 0);
        r.readString(1, true, '');
        r.readInt64(2, true, 0n);
      },
      (e: unknown) => e instanceof TarsDecodeError && e.offset <= n,
      `cut at ${n}`,
    );
  }
});

test('a truncated string says how many bytes were needed', () => {
  const r = new TarsReader(bytes('06 05 61 62'));
  assert.throws(
    () => r.readString(0, true, ''),
    isDecodeError('TARS_TRUNCATED', (e) => e.offset === 2 && /need 5 bytes, 2 left/.test(e.message)),
  );
});

test('a hostile list length of 2^31-1 is refused before allocating', () => {
  // list at tag 0, size int32 0x7fffffff, no elements.
  const r = new TarsReader(bytes('09 02 7f ff ff ff'));
  assert.throws(() => r.readList(0, true, TarsValues.int32.read), isDecodeError('TARS_LIMIT_EXCEEDED'));
  const r2 = new TarsReader(bytes('09 02 00 0f ff ff'), { maxCollectionLength: 2 ** 31 - 1 });
  assert.throws(() => r2.readList(0, true, TarsValues.int32.read), isDecodeError('TARS_INVALID_LENGTH'));
});

test('a hostile string or bytes length is refused', () => {
  assert.throws(
    () => new TarsReader(bytes('07 ff ff ff ff 61')).readString(0, true, ''),
    isDecodeError('TARS_LIMIT_EXCEEDED'),
  );
  assert.throws(
    () => new TarsReader(bytes('0d 00 02 00 0f ff ff 61')).readBytes(0, true, new Uint8Array()),
    isDecodeError('TARS_TRUNCATED'),
  );
  assert.throws(
    () => new TarsReader(bytes('0d 00 00 ff')).readBytes(0, true, new Uint8Array()),
    isDecodeError('TARS_INVALID_LENGTH'),
  );
});

test('nesting deeper than maxDepth is refused, when skipping too', () => {
  const deep = Buffer.concat([Buffer.alloc(100, 0x0a), Buffer.alloc(100, 0x0b)]);
  assert.throws(() => new TarsReader(deep).skipRest(), isDecodeError('TARS_LIMIT_EXCEEDED'));
  assert.doesNotThrow(() => new TarsReader(deep, { maxDepth: 100 }).skipRest());
  const nested = (r: TarsReader): number => r.readStruct(0, true, nested, () => 0);
  assert.throws(
    () => new TarsReader(deep, { maxDepth: 10 }).readStruct(0, true, nested, () => 0),
    isDecodeError('TARS_LIMIT_EXCEEDED'),
  );
});

test('input larger than maxBytes is refused', () => {
  assert.throws(
    () => new TarsReader(new Uint8Array(11), { maxBytes: 10 }),
    isDecodeError('TARS_LIMIT_EXCEEDED'),
  );
});

test('an unknown wire type is a decode error', () => {
  assert.throws(
    () => new TarsReader(bytes('0e 00 01')).readInt32(1, true, 0),
    isDecodeError('TARS_INVALID_TYPE'),
  );
});

test('unsigned reads wrap out-of-range wire values as TarsCpp does', () => {
  const r = new TarsReader(
    encode((w) => {
      w.writeInt16(0, -1);
      w.writeInt64(1, 2n ** 32n + 5n);
    }),
  );
  assert.equal(r.readUInt8(0, true, 0), 255);
  assert.equal(r.readUInt32(1, true, 0), 5);
});

test('vector<byte> is also accepted as a list of int8', () => {
  const r = new TarsReader(encode((w) => w.writeList(0, [1, -1], TarsValues.int8.write)));
  assert.deepEqual([...r.readBytes(0, true, new Uint8Array())], [1, 255]);
});

test('readBytes returns a copy that does not alias the input', () => {
  const input = Buffer.from(encode((w) => w.writeBytes(0, new Uint8Array([1, 2]))));
  const out = new TarsReader(input).readBytes(0, true, new Uint8Array());
  input.fill(0);
  assert.deepEqual([...out], [1, 2]);
});

test('reading many fields in ascending order is linear: each byte is visited once', () => {
  const n = 200;
  const buf = encode((w) => {
    for (let t = 0; t < n; t++) w.writeInt32(t, t);
  });
  const r = new TarsReader(buf);
  let sum = 0;
  for (let t = 0; t < n; t++) sum += r.readInt32(t, true, 0);
  assert.equal(sum, (n * (n - 1)) / 2);
  assert.equal(r.offset, buf.length);
});
