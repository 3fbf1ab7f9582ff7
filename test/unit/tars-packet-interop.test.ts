// Packets byte-identical to @tars/rpc's RequestF structs and @tars/stream's Tup, and decodable by them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsValues } from '../../src/tars/codec/index.js';
import {
  createArgReader,
  createArgWriter,
  createRequestPacket,
  createResponsePacket,
  decodeRequestPacket,
  decodeResponsePacket,
  encodeRequestPacket,
  encodeResponsePacket,
} from '../../src/tars/packet/index.js';
import { RefRequestF, RefTars, refEncode, refInput } from '../support/tars-stream-ref.js';

const frame = (body: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
};

test('a RequestPacket is byte-identical to @tars/rpc and round-trips through it', () => {
  const ref = new RefRequestF.tars.RequestPacket();
  ref.iVersion = 1;
  ref.cPacketType = 0;
  ref.iMessageType = 4;
  ref.iRequestId = 123456;
  ref.sServantName = 'Test.HelloServer.HelloObj';
  ref.sFuncName = 'sayHello';
  ref.sBuffer = new RefTars.BinBuffer(Buffer.from('1005260178', 'hex'));
  ref.iTimeout = 3000;
  ref.context.insert('k', 'v');
  ref.status.insert('STATUS_DYED_KEY', 'user1');
  const refFrame = frame(refEncode((os) => ref._writeTo(os)));

  const ours = createRequestPacket({
    iVersion: 1,
    iMessageType: 4,
    iRequestId: 123456,
    sServantName: 'Test.HelloServer.HelloObj',
    sFuncName: 'sayHello',
    sBuffer: Buffer.from('1005260178', 'hex'),
    iTimeout: 3000,
    context: new Map([['k', 'v']]),
    status: new Map([['STATUS_DYED_KEY', 'user1']]),
  });
  assert.equal(Buffer.from(encodeRequestPacket(ours)).toString('hex'), refFrame.toString('hex'));

  const back = RefRequestF.tars.RequestPacket._readFrom(refInput(encodeRequestPacket(ours).subarray(4)));
  assert.equal(back.sFuncName, 'sayHello');
  assert.equal(back.iRequestId, 123456);
  assert.equal(back.status.get('STATUS_DYED_KEY'), 'user1');
  assert.deepEqual(decodeRequestPacket(refFrame.subarray(4)).context, new Map([['k', 'v']]));
});

test('a ResponsePacket is byte-identical to @tars/rpc and round-trips through it', () => {
  const ref = new RefRequestF.tars.ResponsePacket();
  ref.iVersion = 1;
  ref.iRequestId = 99;
  ref.iRet = -7;
  ref.sBuffer = new RefTars.BinBuffer(Buffer.from('0c', 'hex'));
  ref.status.insert('a', 'b');
  ref.sResultDesc = 'timeout';
  const refFrame = frame(refEncode((os) => ref._writeTo(os)));

  const ours = createResponsePacket({
    iRequestId: 99,
    iRet: -7,
    sBuffer: Buffer.from('0c', 'hex'),
    status: new Map([['a', 'b']]),
    sResultDesc: 'timeout',
  });
  assert.equal(Buffer.from(encodeResponsePacket(ours)).toString('hex'), refFrame.toString('hex'));
  const back = RefRequestF.tars.ResponsePacket._readFrom(refInput(encodeResponsePacket(ours).subarray(4)));
  assert.equal(back.iRet, -7);
  assert.equal(back.sResultDesc, 'timeout');
  const decoded = decodeResponsePacket(refFrame.subarray(4));
  assert.equal(decoded.iRet, -7);
  assert.equal(decoded.sResultDesc, 'timeout');
});

test('a TUP (version 3) request is byte-identical to @tars/stream Tup and decodes from it', () => {
  const tup = new RefTars.Tup();
  tup.tupVersion = 3;
  tup.servantName = 'App.Server.Obj';
  tup.funcName = 'add';
  tup.requestId = 5;
  tup.writeInt32('a', 40000);
  tup.writeString('s', 'ü');
  tup.writeBoolean('b', true);
  const refFrame = tup.encode().toNodeBuffer();

  const args = createArgWriter(3);
  args.write(1, 'a', 40000, TarsValues.int32.write);
  args.write(2, 's', 'ü', TarsValues.string.write);
  args.write(3, 'b', true, TarsValues.bool.write);
  const ours = createRequestPacket({
    iVersion: 3,
    iRequestId: 5,
    sServantName: 'App.Server.Obj',
    sFuncName: 'add',
    sBuffer: args.toBytes(),
  });
  assert.equal(Buffer.from(encodeRequestPacket(ours)).toString('hex'), refFrame.toString('hex'));

  const req = decodeRequestPacket(refFrame.subarray(4));
  const r = createArgReader(req.iVersion, req.sBuffer);
  assert.equal(r.read(1, 'a', TarsValues.int32.read), 40000);
  assert.equal(r.read(2, 's', TarsValues.string.read), 'ü');
  assert.equal(r.read(3, 'b', TarsValues.bool.read), true);

  const refBack = new RefTars.Tup();
  refBack.decode(new RefTars.BinBuffer(Buffer.from(encodeRequestPacket(ours))));
  assert.equal(refBack.readInt32('a'), 40000);
  assert.equal(refBack.readString('s'), 'ü');
});
