/**
 * TUP version 2 (TUP_COMPLEX, the UniAttribute with type names) against the Node reference packages: the example
 * client shipped in @tars/rpc (`client.node.tup.socket`, which selects v2) calls our server over a real socket,
 * and our v2 requests and UniAttribute bodies are byte-identical to @tars/stream's, type names included.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// Only the public entry point: everything a TUP v2 peer needs is exported from tars-ws/tars.
import {
  createArgReader,
  createArgWriter,
  createRequestPacket,
  decodeRequestPacket,
  encodeRequestPacket,
  TarsServer,
  TarsValues as V,
  TarsVersion,
  type TarsStructType,
} from '../../src/tars/index.js';
import { NodeTarsServant } from '../fixtures/tars/generated/NodeTars.js';
import { within } from '../support/deadline.js';
import { RefTars, type RefBinBuffer, type RefList, type RefMap } from '../support/tars-stream-ref.js';

const require = createRequire(import.meta.url);

/** The UniAttribute/Tup calls of @tars/stream these tests use beyond RefTup's (v2 writes by each type's name). */
interface RefTupV2 {
  tupVersion: number;
  servantName: string;
  funcName: string;
  requestId: number;
  writeInt32(name: string, v: number): void;
  writeInt64(name: string, v: number): void;
  writeString(name: string, v: string): void;
  writeBoolean(name: string, v: boolean): void;
  writeBytes(name: string, v: RefBinBuffer): void;
  writeList(name: string, v: RefList<unknown>): void;
  writeMap(name: string, v: RefMap<unknown>): void;
  writeStruct(name: string, v: unknown): void;
  readInt32(name: string, def?: number): number;
  readString(name: string, def?: string): string;
  readStruct(name: string, type: unknown, def?: unknown): { toObject(): unknown };
  readList(name: string, type: unknown): RefList<number>;
  encode(): RefBinBuffer;
  decode(b: RefBinBuffer): void;
}
const Stream = RefTars as unknown as {
  Tup: new () => RefTupV2;
  UniAttribute: new () => RefTupV2;
  Int32: unknown;
  String: unknown;
  List(p: unknown): RefList<unknown>;
  Map(k: unknown, v: unknown): RefMap<unknown>;
};
interface RefItem {
  readFromObject(v: unknown): RefItem;
}
const RefItemClass = (
  require('../support/tars-official/generated/InteropTypesTars.cjs') as {
    Interop: { Item: new () => RefItem };
  }
).Interop.Item;

/** `Interop.Item` as tars2ts emits it, trimmed to the fields these tests set. */
interface Item {
  id: number;
  name: string;
}
const Item: TarsStructType<Item> = {
  name: 'Interop.Item',
  create: () => ({ id: 0, name: '' }),
  write(w, v) {
    w.writeInt32(0, v.id);
    w.writeString(1, v.name);
  },
  read: (r) => ({ id: r.readInt32(0, true, 0), name: r.readString(1, false, '') }),
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('TUP v2 byte identity with @tars/stream', () => {
  test('a request with int32, int64, string, bool, bytes, List<int32>, map<string,int32> and a struct', () => {
    const tup = new Stream.Tup();
    tup.tupVersion = 2;
    tup.servantName = 'App.Server.Obj';
    tup.funcName = 'put';
    tup.requestId = 77;
    tup.writeInt32('n', 40000);
    tup.writeInt64('big', 2 ** 40);
    tup.writeString('s', 'ü');
    tup.writeBoolean('b', true);
    tup.writeBytes('raw', new RefTars.BinBuffer(Buffer.from([0, 255, 7])));
    const list = Stream.List(Stream.Int32);
    list.push(1);
    list.push(-2);
    tup.writeList('ints', list);
    const map = Stream.Map(Stream.String, Stream.Int32);
    map.insert('a', 1);
    tup.writeMap('scores', map);
    tup.writeStruct('item', new RefItemClass().readFromObject({ id: 3, name: 'x' }));
    const refFrame = tup.encode().toNodeBuffer();

    const args = createArgWriter(TarsVersion.TupComplex);
    args.write(1, 'n', 40000, V.int32.write, V.int32.typeName);
    args.write(2, 'big', 2n ** 40n, V.int64.write, V.int64.typeName);
    args.write(3, 's', 'ü', V.string.write, V.string.typeName);
    args.write(4, 'b', true, V.bool.write, V.bool.typeName);
    args.write(5, 'raw', Uint8Array.from([0, 255, 7]), V.bytes.write, V.bytes.typeName);
    const ints = V.list(V.int32);
    args.write(6, 'ints', [1, -2], ints.write, ints.typeName);
    const scores = V.map(V.string, V.int32);
    args.write(7, 'scores', new Map([['a', 1]]), scores.write, scores.typeName);
    // The reference struct writes every field, so ours is given the same ones.
    const full = {
      ...Item,
      write: (w: Parameters<typeof Item.write>[0], v: Item) => {
        Item.write(w, v);
        w.writeInt32(2, 5);
        w.writeList(3, [], V.string.write);
        w.writeMap(4, new Map(), V.string.write, V.int32.write);
        w.writeInt64(5, 0n);
        w.writeBool(6, false);
        w.writeDouble(7, 0);
      },
    };
    const item = V.struct(full);
    args.write(8, 'item', { id: 3, name: 'x' }, item.write, item.typeName);
    const ours = encodeRequestPacket(
      createRequestPacket({
        iVersion: 2,
        iRequestId: 77,
        sServantName: 'App.Server.Obj',
        sFuncName: 'put',
        sBuffer: args.toBytes(),
      }),
    );
    assert.equal(hex(ours), hex(refFrame));
    assert.deepEqual(
      [ints.typeName, scores.typeName, item.typeName, V.bytes.typeName],
      ['List<int32>', 'map<string,int32>', 'Interop.Item', 'list<char>'],
    );
  });

  test('a reply body (UniAttribute: return value under "" and out parameters) is byte-identical', () => {
    const uni = new Stream.UniAttribute();
    uni.tupVersion = 2;
    uni.writeInt32('', 100002);
    uni.writeString('sValue1', 'one');
    uni.writeString('sValue2', 'two');
    const ref = uni.encode().toNodeBuffer();

    const body = createArgWriter(TarsVersion.TupComplex);
    body.write(0, '', 100002, V.int32.write, V.int32.typeName);
    body.write(2, 'sValue1', 'one', V.string.write, V.string.typeName);
    body.write(3, 'sValue2', 'two', V.string.write, V.string.typeName);
    assert.equal(hex(body.toBytes()), hex(ref));
  });

  test('our v2 request is read by @tars/stream with its type checks, and its request by our reader', () => {
    const args = createArgWriter(TarsVersion.TupComplex);
    const ints = V.list(V.int32);
    args.write(1, 'ints', [4, 5], ints.write, ints.typeName);
    args.write(2, 's', 'hi', V.string.write, V.string.typeName);
    const frame = encodeRequestPacket(
      createRequestPacket({ iVersion: 2, sServantName: 'A.B.C', sFuncName: 'f', sBuffer: args.toBytes() }),
    );
    const back = new Stream.Tup();
    back.decode(new RefTars.BinBuffer(Buffer.from(frame)));
    assert.deepEqual(back.readList('ints', Stream.List(Stream.Int32)).value, [4, 5]);
    assert.equal(back.readString('s'), 'hi');

    const req = decodeRequestPacket(Buffer.from(frame).subarray(4));
    const r = createArgReader(req.iVersion, req.sBuffer);
    assert.deepEqual(r.read(1, 'ints', ints.read, ints.typeName), [4, 5]);
  });
});

/** Our implementation of the interface the shipped example client calls, answering as its server.node.1 does. */
class NodeTarsImpl extends NodeTarsServant {
  test(): number {
    return 0;
  }
  getall(): { ret: number; stResult: { id: number; iLevel: number } } {
    return { ret: 10000, stResult: { id: 0, iLevel: 11000 } };
  }
  getUsrName(sUsrName: string): { ret: number; sValue1: string; sValue2: string } {
    return { ret: 100002, sValue1: `OUT_${sUsrName}_1`, sValue2: `OUT_${sUsrName}_2` };
  }
}

const EXAMPLE_DIR = join(
  dirname(require.resolve('@tars/rpc/package.json')),
  'examples/rpc-tars/demo.1/client.node.tup.socket',
);

describe("@tars/rpc's shipped TUP v2 example client calling our server", () => {
  let server: TarsServer;
  before(async () => {
    server = new TarsServer({ port: 0 });
    server.addServant('TARS.NodeTarsServer.NodeTarsObj', new NodeTarsImpl(), NodeTarsServant.operations);
    await server.listen();
  });
  after(() => server.close());

  test('client.node.tup.socket (TUP_COMPLEX) prints the return value and both out parameters', async () => {
    const source = readFileSync(join(EXAMPLE_DIR, 'main.js'), 'utf8');
    assert.match(source, /tup\.tupVersion\s*=\s*TarsStream\.Tup\.TUP_COMPLEX/);
    // As shipped, but pointed at our ephemeral port instead of its fixed 14002.
    const patched = source.replace('socket.connect(14002,', `socket.connect(${server.address.port},`);
    assert.notEqual(patched, source);
    // `-e` resolves require() from the working directory, so the example's own `./NodeTars.js` is found.
    const child = spawn(process.execPath, ['--no-deprecation', '--no-warnings', '-e', patched], {
      cwd: EXAMPLE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    try {
      await within(
        new Promise<void>((resolve) => {
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('sValue2:')) resolve();
          });
        }),
        10_000,
        () => `the example printing its answer (stdout: ${out}, stderr: ${err})`,
      );
    } finally {
      child.kill();
    }
    assert.doesNotMatch(out, /TARS ERROR/);
    assert.match(out, /result\.response\.return: 100002\n/);
    assert.match(out, /result\.response\.arguments\.sValue1: OUT_czzou@tencent\.com_1\n/);
    assert.match(out, /result\.response\.arguments\.sValue2: OUT_czzou@tencent\.com_2\n/);
  });
});
