// Specification of RequestPacket/ResponsePacket encoding and the 4-byte length framing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsDecodeError, TarsWriter } from '../../src/tars/codec/index.js';
import {
  FrameDecoder,
  createRequestPacket,
  createResponsePacket,
  decodeRequestPacket,
  decodeResponsePacket,
  encodeRequestPacket,
  encodeResponsePacket,
} from '../../src/tars/packet/index.js';

const request = createRequestPacket({
  iVersion: 1,
  cPacketType: 1,
  iMessageType: 4,
  iRequestId: 2147483647,
  sServantName: 'App.Server.Obj',
  sFuncName: 'hello',
  sBuffer: new Uint8Array([1, 2, 3]),
  iTimeout: 3000,
  context: new Map([['trace', 'abc']]),
  status: new Map([['STATUS_DYED_KEY', 'k']]),
});

function isFrameError(e: unknown): boolean {
  return e instanceof TarsDecodeError && e.code === 'TARS_BAD_FRAME_LENGTH';
}

test('a request survives encode and decode', () => {
  const frame = encodeRequestPacket(request);
  assert.equal(Buffer.from(frame).readUInt32BE(0), frame.length);
  const back = decodeRequestPacket(frame.subarray(4));
  assert.deepEqual({ ...back, sBuffer: [...back.sBuffer] }, { ...request, sBuffer: [1, 2, 3] });
});

test('a response survives encode and decode', () => {
  const response = createResponsePacket({
    iRequestId: -5,
    iRet: -3,
    sBuffer: new Uint8Array([9]),
    status: new Map([['a', 'b']]),
    sResultDesc: 'no such function',
    context: new Map([['c', 'd']]),
  });
  const back = decodeResponsePacket(encodeResponsePacket(response).subarray(4));
  assert.deepEqual({ ...back, sBuffer: [...back.sBuffer] }, { ...response, sBuffer: [9] });
});

test('a response without the optional fields (C++ style) decodes with defaults', () => {
  const w2 = new TarsWriter();
  w2.writeInt16(1, 1);
  w2.writeInt8(2, 0);
  w2.writeInt32(3, 7);
  w2.writeInt32(4, 0);
  w2.writeInt32(5, 0);
  w2.writeBytes(6, new Uint8Array());
  w2.writeMap(
    7,
    new Map<string, string>(),
    (x, t, v) => x.writeString(t, v),
    (x, t, v) => x.writeString(t, v),
  );
  const back = decodeResponsePacket(w2.toBytes());
  assert.equal(back.iRequestId, 7);
  assert.equal(back.sResultDesc, '');
  assert.deepEqual(back.context, new Map());
});

test('a request missing a required field is a decode error naming the tag', () => {
  const w = new TarsWriter();
  w.writeInt16(1, 1);
  assert.throws(
    () => decodeRequestPacket(w.toBytes()),
    (e: unknown) => e instanceof TarsDecodeError && e.code === 'TARS_REQUIRED_MISSING' && e.tag === 2,
  );
});

test('several packets in one chunk come out in order', () => {
  const a = encodeRequestPacket({ ...request, iRequestId: 1 });
  const b = encodeRequestPacket({ ...request, iRequestId: 2 });
  const frames = new FrameDecoder().push(Buffer.concat([a, b]));
  assert.deepEqual(
    frames.map((f) => decodeRequestPacket(f).iRequestId),
    [1, 2],
  );
});

test('the packets before a bad length in the same chunk are kept in `out` when it throws', () => {
  const a = encodeRequestPacket({ ...request, iRequestId: 1 });
  const b = encodeRequestPacket({ ...request, iRequestId: 2 });
  const out: Uint8Array[] = [];
  assert.throws(
    () => new FrameDecoder().push(Buffer.concat([a, b, Buffer.from('00000002', 'hex')]), out),
    isFrameError,
  );
  assert.deepEqual(
    out.map((f) => decodeRequestPacket(f).iRequestId),
    [1, 2],
  );
});

test('a packet split at every byte boundary is reassembled', () => {
  const a = Buffer.from(encodeRequestPacket({ ...request, iRequestId: 1 }));
  const b = Buffer.from(encodeRequestPacket({ ...request, iRequestId: 2 }));
  const stream = Buffer.concat([a, b]);
  for (let cut = 1; cut < stream.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.deepEqual(
      got.map((f) => decodeRequestPacket(f).iRequestId),
      [1, 2],
      `cut at ${cut}`,
    );
    assert.equal(d.buffered, 0);
  }
});

test('a packet fed one byte at a time is reassembled', () => {
  const a = encodeRequestPacket(request);
  const d = new FrameDecoder();
  const got: Uint8Array[] = [];
  for (const byte of a) got.push(...d.push(new Uint8Array([byte])));
  assert.equal(got.length, 1);
  assert.equal(decodeRequestPacket(got[0]!).sFuncName, 'hello');
});

test('a length prefix of exactly 4 yields an empty body', () => {
  assert.deepEqual(
    new FrameDecoder().push(Buffer.from('00000004', 'hex')).map((f) => f.length),
    [0],
  );
});

test('a length below 4 is refused', () => {
  assert.throws(() => new FrameDecoder().push(Buffer.from('00000003', 'hex')), isFrameError);
  const d = new FrameDecoder();
  d.push(Buffer.from('0000', 'hex'));
  assert.throws(() => d.push(Buffer.from('0000', 'hex')), isFrameError);
});

test('a length above the maximum is refused before the body arrives', () => {
  const d = new FrameDecoder({ maxFrameBytes: 100 });
  assert.throws(() => d.push(Buffer.from('00000065', 'hex')), isFrameError);
  assert.throws(() => new FrameDecoder().push(Buffer.from('ffffffff', 'hex')), isFrameError);
  assert.deepEqual(
    new FrameDecoder({ maxFrameBytes: 100 }).push(
      Buffer.concat([Buffer.from('00000064', 'hex'), Buffer.alloc(96)]),
    ).length,
    1,
  );
});

test('a malformed but well-framed packet is a decode error, not a crash', () => {
  const body = new FrameDecoder().push(Buffer.from('0000000a1f0102030405', 'hex'))[0]!;
  assert.throws(() => decodeResponsePacket(body), TarsDecodeError);
});

test('an encoder writer is reusable across packets', () => {
  const w = new TarsWriter();
  const a = encodeRequestPacket({ ...request, iRequestId: 1 }, w);
  const b = encodeRequestPacket({ ...request, iRequestId: 2 }, w);
  assert.equal(decodeRequestPacket(a.subarray(4)).iRequestId, 1);
  assert.equal(decodeRequestPacket(b.subarray(4)).iRequestId, 2);
});
