// Specification of TarsWriter: the byte layout of every type, narrowest integers, and rejected values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsEncodeError, TarsValues, TarsWriter } from '../../src/tars/codec/index.js';

function hex(write: (w: TarsWriter) => void): string {
  const w = new TarsWriter(16);
  write(w);
  return Buffer.from(w.toBytes()).toString('hex');
}

test('an int32 of 300 at tag 2 is a head then a big-endian int16', () => {
  assert.equal(
    hex((w) => w.writeInt32(2, 300)),
    '21012c',
  );
});

test('tags from 15 to 255 take a second head byte', () => {
  assert.equal(
    hex((w) => w.writeInt32(15, 5)),
    // 0xF0 | int8, tag byte 0x0f, payload 05 (as @tars/stream writes it).
    'f00f05',
  );
  assert.equal(
    hex((w) => w.writeInt32(255, 5)),
    'f0ff05',
  );
  assert.equal(
    hex((w) => w.writeInt8(14, 5)),
    'e005',
  );
});

test('integers use the narrowest type and zero is type 12 for every numeric type and false', () => {
  assert.equal(
    hex((w) => w.writeInt32(0, 127)),
    '007f',
  );
  assert.equal(
    hex((w) => w.writeInt32(0, 128)),
    '010080',
  );
  assert.equal(
    hex((w) => w.writeInt32(0, 32768)),
    '0200008000',
  );
  assert.equal(
    hex((w) => w.writeInt64(0, 2147483648n)),
    '030000000080000000',
  );
  assert.equal(
    hex((w) => {
      w.writeInt8(0, 0);
      w.writeInt64(1, 0n);
      w.writeBool(2, false);
      w.writeFloat(3, 0);
      w.writeDouble(4, 0);
    }),
    '0c1c2c3c4c',
  );
  assert.equal(
    hex((w) => w.writeBool(0, true)),
    '0001',
  );
});

test('unsigned types go on the wire one size wider', () => {
  assert.equal(
    hex((w) => w.writeUInt8(0, 255)),
    '0100ff',
  );
  assert.equal(
    hex((w) => w.writeUInt16(0, 65535)),
    '020000ffff',
  );
  assert.equal(
    hex((w) => w.writeUInt32(6, 0xffffffee)),
    '6300000000ffffffee',
  );
});

test('int64 keeps full precision beyond 2^53', () => {
  assert.equal(
    hex((w) => w.writeInt64(0, 2n ** 53n + 1n)),
    '030020000000000001',
  );
  assert.equal(
    hex((w) => w.writeInt64(0, 2n ** 63n - 1n)),
    '037fffffffffffffff',
  );
  assert.equal(
    hex((w) => w.writeInt64(0, -1n)),
    '00ff',
  );
});

test('strings are UTF-8 with a 1-byte length up to 255 bytes and a 4-byte length above', () => {
  assert.equal(
    hex((w) => w.writeString(1, 'x')),
    '160178',
  );
  assert.equal(
    hex((w) => w.writeString(1, '')),
    '1600',
  );
  assert.equal(
    hex((w) => w.writeString(0, 'é')),
    '0602c3a9',
  );
  assert.equal(hex((w) => w.writeString(0, 'a'.repeat(255))).slice(0, 4), '06ff');
  assert.equal(hex((w) => w.writeString(0, 'a'.repeat(256))).slice(0, 10), '0700000100');
  // 100 UTF-16 units but 300 bytes: the head type follows the byte length.
  assert.equal(hex((w) => w.writeString(0, '€'.repeat(100))).slice(0, 10), '070000012c');
});

test('vector<byte> is a simple list: type 13, a 0x00 head, the length, the raw bytes', () => {
  assert.equal(
    hex((w) => w.writeBytes(7, new Uint8Array([1, 2, 3]))),
    '7d000003010203',
  );
  assert.equal(
    hex((w) => w.writeBytes(0, new Uint8Array(0))),
    '0d000c',
  );
});

test('a struct field is a begin head, its fields and 0x0b', () => {
  const fields = (w: TarsWriter, v: { a: number; b: string }): void => {
    w.writeInt32(0, v.a);
    w.writeString(1, v.b);
  };
  assert.equal(
    hex((w) => w.writeStruct(4, { a: 42, b: 'x' }, fields)),
    '4a002a1601780b',
  );
});

test('lists and maps write their size at tag 0 then elements at tag 0 (keys) and 1 (values)', () => {
  assert.equal(
    hex((w) => w.writeList(0, [1, 2], TarsValues.int32.write)),
    '09000200010002',
  );
  assert.equal(
    hex((w) => w.writeMap(0, new Map([['k', 'v']]), TarsValues.string.write, TarsValues.string.write)),
    '08000106016b160176',
  );
});

test('tags above 255, negative or fractional tags are refused', () => {
  const w = new TarsWriter();
  for (const tag of [256, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => w.writeInt32(tag, 1),
      (e: unknown) => e instanceof TarsEncodeError && e.code === 'TARS_BAD_TAG',
    );
  }
  assert.equal(w.length, 0);
});

test('values outside their type range or not integers are refused before anything is written', () => {
  const w = new TarsWriter();
  const bad: [string, () => void][] = [
    ['int8 128', () => w.writeInt8(0, 128)],
    ['int16 32768', () => w.writeInt16(0, 32768)],
    ['int32 2^31', () => w.writeInt32(0, 2 ** 31)],
    ['int32 1.5', () => w.writeInt32(0, 1.5)],
    ['int32 NaN', () => w.writeInt32(0, Number.NaN)],
    ['int64 2^63', () => w.writeInt64(0, 2n ** 63n)],
    ['int64 number', () => w.writeInt64(0, 5 as unknown as bigint)],
    ['uint8 256', () => w.writeUInt8(0, 256)],
    ['uint8 -1', () => w.writeUInt8(0, -1)],
    ['uint16 65536', () => w.writeUInt16(0, 65536)],
    ['uint32 2^32', () => w.writeUInt32(0, 2 ** 32)],
    ['string number', () => w.writeString(0, 5 as unknown as string)],
  ];
  for (const [name, write] of bad) {
    assert.throws(
      write,
      (e: unknown) => e instanceof TarsEncodeError && e.code === 'TARS_OUT_OF_RANGE',
      name,
    );
  }
  assert.equal(w.length, 0);
});

test('a self-referencing value fails with a typed error instead of overflowing the stack', () => {
  interface Node {
    next: Node | null;
  }
  const node: Node = { next: null };
  node.next = node;
  const write = (w: TarsWriter, v: Node): void => {
    if (v.next) w.writeStruct(0, v.next, write);
  };
  assert.throws(
    () => new TarsWriter().writeStruct(0, node, write),
    (e: unknown) => e instanceof TarsEncodeError && e.code === 'TARS_TOO_DEEP',
  );
});

test('the buffer grows past its initial capacity and reset reuses it', () => {
  const w = new TarsWriter(16);
  const big = new Uint8Array(10_000).fill(7);
  w.writeBytes(0, big);
  w.writeString(1, 'z'.repeat(5000));
  // Bytes: 0d 00 02 2710 <10000>, then 17 00001388 <5000>.
  assert.equal(w.length, 5 + 10_000 + 5 + 5000);
  const first = w.toBytes();
  w.reset();
  assert.equal(w.length, 0);
  w.writeInt32(0, 1);
  assert.equal(Buffer.from(w.toBytes()).toString('hex'), '0001');
  assert.equal(first[5], 7);
});

test('toFramedBytes prefixes the 4-byte length that counts itself', () => {
  const w = new TarsWriter();
  w.writeInt32(1, 1);
  assert.equal(Buffer.from(w.toFramedBytes()).toString('hex'), '000000061001');
});

test('bytes returned by toBytes stay intact when the writer is reset and reused', () => {
  const w = new TarsWriter(16);
  w.writeString(0, 'first message');
  const first = w.toBytes();
  const copy = Buffer.from(first);
  w.writeInt32(1, 7);
  w.reset();
  w.writeString(0, 'second message!');
  assert.deepEqual(Buffer.from(first), copy);
  w.reset();
  w.writeInt8(0, 1);
  const small = w.toBytes();
  w.reset();
  w.writeInt8(0, 2);
  assert.equal(Buffer.from(small).toString('hex'), '0001');
  assert.deepEqual(Buffer.from(first), copy);
});

test('TarsWriter.encode returns a struct body and tolerates being called from inside a writer', () => {
  const inner = (w: TarsWriter, v: string): void => w.writeString(0, v);
  const outer = (w: TarsWriter, v: string): void => {
    // A nested encode (say, a TUP argument built while writing) must not clobber the outer one.
    w.writeBytes(0, TarsWriter.encode(v, inner));
    w.writeInt32(1, 5);
  };
  const bytes = TarsWriter.encode('x', outer);
  assert.equal(Buffer.from(bytes).toString('hex'), '0d0000030601781005');
  const again = TarsWriter.encode('y', inner);
  assert.equal(Buffer.from(again).toString('hex'), '060179');
  assert.equal(Buffer.from(bytes).toString('hex'), '0d0000030601781005');
});
