// Bounded, seeded fuzzing of everything that reads network bytes: random bytes and mutated valid encodings go
// through the generic skip, typed struct reads, packet decoders, argument readers and the frame decoder. The only
// acceptable failure is TarsDecodeError; RangeError, TypeError or a hang would be a bug.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsDecodeError, TarsReader, TarsValues, TarsWriter } from '../../src/tars/codec/index.js';
import {
  FrameDecoder,
  createArgReader,
  createArgWriter,
  createRequestPacket,
  decodeRequestPacket,
  decodeResponsePacket,
  encodeRequestPacket,
} from '../../src/tars/packet/index.js';
import { prng } from '../support/prng.js';

const S = TarsValues.string;
const I = TarsValues.int32;

interface Profile {
  id: bigint;
  name: string;
  tags: string[];
  attrs: Map<string, string>;
  friend: { a: number; b: string } | null;
  avatar: Uint8Array;
  score: number;
}
const Inner = {
  name: 'Fuzz.Inner',
  write: (w: TarsWriter, v: { a: number; b: string }): void => {
    w.writeInt32(0, v.a);
    w.writeString(1, v.b);
  },
  read: (r: TarsReader): { a: number; b: string } => ({
    a: r.readInt32(0, true, 0),
    b: r.readString(1, false, ''),
  }),
  create: (): { a: number; b: string } => ({ a: 0, b: '' }),
};
function writeProfile(w: TarsWriter, p: Profile): void {
  w.writeInt64(0, p.id);
  w.writeString(1, p.name);
  w.writeList(2, p.tags, S.write);
  w.writeMap(3, p.attrs, S.write, S.write);
  if (p.friend) w.writeStruct(4, p.friend, Inner.write);
  w.writeBytes(5, p.avatar);
  w.writeDouble(6, p.score);
  w.writeList(7, [[1, 2], [3]], TarsValues.list(I).write);
  w.writeMap(20, new Map([[1, { a: 1, b: 'x' }]]), I.write, TarsValues.struct(Inner).write);
}
function readProfile(r: TarsReader): unknown {
  return {
    id: r.readInt64(0, true, 0n),
    name: r.readString(1, true, ''),
    tags: r.readList(2, false, S.read),
    attrs: r.readMap(3, false, S.read, S.read),
    friend: r.readStruct(4, false, Inner.read, Inner.create),
    avatar: r.readBytes(5, false, new Uint8Array()),
    score: r.readDouble(6, false, 0),
    nested: r.readList(7, false, TarsValues.list(I).read),
    byId: r.readMap(20, false, I.read, TarsValues.struct(Inner).read),
    u: r.readUInt32(21, false, 0),
    f: r.readFloat(22, false, 0),
    b: r.readBool(23, false, false),
  };
}

function seeds(rand: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    const w = new TarsWriter();
    writeProfile(w, {
      id: BigInt(Math.floor(rand() * 2 ** 53)) * (rand() < 0.5 ? -1n : 1n),
      name: 'user-' + 'ü'.repeat(Math.floor(rand() * 100)),
      tags: Array.from({ length: Math.floor(rand() * 5) }, (_, k) => `t${k}`),
      attrs: new Map([
        ['lang', 'zh'],
        ['k' + i, 'v'.repeat(Math.floor(rand() * 300))],
      ]),
      friend: rand() < 0.5 ? { a: i, b: 'f' } : null,
      avatar: new Uint8Array(Math.floor(rand() * 40)),
      score: rand() * 100,
    });
    out.push(w.toBytes());
  }
  return out;
}

function mutate(rand: () => number, src: Uint8Array): Uint8Array {
  const b = Buffer.from(src);
  const kind = Math.floor(rand() * 5);
  if (kind === 0) return b.subarray(0, Math.floor(rand() * b.length)); // truncate
  if (kind === 1) {
    // flip a few bytes
    for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++)
      b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    return b;
  }
  if (kind === 2) {
    // plant a huge length or size somewhere
    const at = Math.floor(rand() * Math.max(1, b.length - 4));
    b.writeUInt32BE([0x7fffffff, 0xffffffff, 0x80000000, 0x00ffffff][Math.floor(rand() * 4)]!, at);
    return b;
  }
  if (kind === 3) {
    // splice in random bytes
    const at = Math.floor(rand() * b.length);
    const junk = Buffer.from(
      Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)),
    );
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  }
  // nest deeply: many struct-begin / list heads
  return Buffer.concat([Buffer.alloc(Math.floor(rand() * 200), rand() < 0.5 ? 0x0a : 0x09), b]);
}

function randomBytes(rand: () => number): Uint8Array {
  return Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
}

/** Runs `fn`; anything thrown must be a TarsDecodeError. */
function expectDecodeErrorOnly(input: Uint8Array, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof TarsDecodeError) return;
    assert.fail(
      `unexpected ${String(e)} for input ${Buffer.from(input).toString('hex')}\n${(e as Error).stack ?? ''}`,
    );
  }
}

function exercise(input: Uint8Array, rand: () => number): void {
  expectDecodeErrorOnly(input, () => new TarsReader(input).skipRest());
  expectDecodeErrorOnly(input, () => readProfile(new TarsReader(input)));
  expectDecodeErrorOnly(input, () => new TarsReader(input).readStruct(0, true, readProfile, () => null));
  expectDecodeErrorOnly(input, () => decodeRequestPacket(input));
  expectDecodeErrorOnly(input, () => decodeResponsePacket(input));
  expectDecodeErrorOnly(input, () => createArgReader(3, input).read(0, '', S.read));
  expectDecodeErrorOnly(input, () => createArgReader(2, input).read(0, 'a', I.read));
  expectDecodeErrorOnly(input, () => createArgReader(2, input).read(0, 'b', S.read, 'string'));
  expectDecodeErrorOnly(input, () => new TarsReader(input).readStringBytes(1, true, new Uint8Array(0)));
  expectDecodeErrorOnly(input, () => createArgReader(1, input).read(1, 'a', TarsValues.map(S, S).read));
  expectDecodeErrorOnly(input, () => {
    const d = new FrameDecoder({ maxFrameBytes: 4096 });
    for (let off = 0; off < input.length;) {
      const n = 1 + Math.floor(rand() * 16);
      for (const body of d.push(input.subarray(off, off + n))) decodeRequestPacket(body);
      off += n;
    }
  });
}

test('20,000 random and mutated inputs raise only TarsDecodeError', () => {
  const rand = prng(0x7a125);
  const valid = seeds(rand);
  const packet = encodeRequestPacket(
    createRequestPacket({
      sServantName: 'A.B.C',
      sFuncName: 'f',
      sBuffer: valid[0]!,
      context: new Map([['k', 'v']]),
    }),
  );
  // A TUP v2 argument map (name -> type name -> bytes), so mutations reach the nested map reader.
  const tup = createArgWriter(2);
  tup.write(1, 'a', 7, I.write, I.typeName);
  tup.write(2, 'b', 'bee', S.write, S.typeName);
  valid.push(packet, packet.subarray(4), tup.toBytes());
  for (let i = 0; i < 20_000; i++) {
    const input = i % 4 === 0 ? randomBytes(rand) : mutate(rand, valid[i % valid.length]!);
    exercise(input, rand);
  }
});

test('the valid seeds decode without error', () => {
  for (const input of seeds(prng(1))) {
    const r = new TarsReader(input);
    readProfile(r);
    assert.equal(r.remaining, 0);
  }
});
