/**
 * The generated code against the real codec: structs encode and decode losslessly, absent optional fields take
 * their IDL defaults, the bytes match the @tars/stream reference, and a generated proxy talks to a generated
 * servant through TARS v1 argument buffers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarsDecodeError, TarsReader, TarsWriter } from '../../src/tars/codec/index.js';
import type {
  ArgReader,
  ArgWriter,
  CallOptions,
  Invoker,
  ServantCallContext,
} from '../../src/tars/contract.js';
import { DrawingProxy, DrawingServant, Status, type Request } from '../fixtures/tars/generated/service.js';
import { AllTypes, Color, Level, Point, Tree } from '../fixtures/tars/generated/types.js';
import { refEncode, refInput } from '../support/tars-stream-ref.js';

function encode<T>(type: { write(w: TarsWriter, v: T): void }, v: T): Uint8Array {
  const w = new TarsWriter();
  type.write(w, v);
  return w.toBytes();
}

function sample(): AllTypes {
  return {
    b: false,
    i8: -3,
    i16: -300,
    i32: 70000,
    i64: -(2n ** 62n),
    f: 0.5,
    d: -1.25e-7,
    s: 'ünïcødé',
    u8: 200,
    u16: 60000,
    u32: 4000000000,
    // The codec hands out Buffers (Uint8Array subclasses); strict deepEqual compares prototypes.
    bytes: Buffer.from([0, 1, 254, 255]),
    ints: [1, -2, 3],
    strings: ['a', '', 'c'],
    counts: new Map([
      ['x', 1],
      ['y', 0],
    ]),
    nested: new Map([[7, [{ x: 1, y: 2 }]]]),
    deep: [new Map([['k', [1n, 2n ** 60n]]])],
    origin: { x: -9, y: 9 },
    color: Color.BLUE,
    level: Level.HIGH,
    palette: [Color.RED, Color.TEAL],
    far: 'far away',
  };
}

test('a struct with every field type survives encode and decode', () => {
  const v = sample();
  assert.deepEqual(AllTypes.read(new TarsReader(encode(AllTypes, v))), v);
});

test('a struct nested as a field survives encode and decode', () => {
  const w = new TarsWriter();
  w.writeStruct(3, sample(), AllTypes.write);
  const r = new TarsReader(w.toBytes());
  assert.deepEqual(
    r.readStruct(3, true, AllTypes.read, () => AllTypes.create()),
    sample(),
  );
});

test('absent optional fields decode to their IDL defaults', () => {
  const w = new TarsWriter();
  w.writeBool(0, true);
  const decoded = AllTypes.read(new TarsReader(w.toBytes()));
  assert.deepEqual(decoded, AllTypes.create());
  assert.equal(decoded.color, Color.GREEN);
  assert.equal(decoded.level, Level.LOW);
  assert.equal(decoded.i8, -128);
  assert.equal(decoded.far, 'tag above 14');
});

test('a missing required field fails to decode', () => {
  assert.throws(() => AllTypes.read(new TarsReader(new Uint8Array(0))), TarsDecodeError);
});

test('a recursive struct declared out of tag order round-trips', () => {
  const leaf: Tree = { label: 'leaf', children: [], index: new Map() };
  const tree: Tree = { label: 'root', children: [leaf, leaf], index: new Map([[{ x: 1, y: 1 }, leaf]]) };
  assert.deepEqual(Tree.read(new TarsReader(encode(Tree, tree))), tree);
});

test('generated struct bytes match the @tars/stream reference', () => {
  const ours = encode(Point, { x: 300, y: -1 });
  const ref = refEncode((os) => {
    os.writeInt32(0, 300);
    os.writeInt32(1, -1);
  });
  assert.deepEqual(Buffer.from(ours), ref);
  const is = refInput(ours);
  assert.equal(is.readInt32(0, true), 300);
});

/** TARS v1 arguments: argument `tag` goes positionally into one buffer. */
class V1ArgWriter implements ArgWriter {
  readonly w = new TarsWriter();
  write<T>(tag: number, _name: string, v: T, writer: (w: TarsWriter, tag: number, v: T) => void): void {
    writer(this.w, tag, v);
  }
}
class V1ArgReader implements ArgReader {
  readonly #r: TarsReader;
  constructor(bytes: Uint8Array) {
    this.#r = new TarsReader(bytes);
  }
  read<T>(tag: number, _name: string, reader: (r: TarsReader, tag: number, required: boolean) => T): T {
    return reader(this.#r, tag, true);
  }
}

/** An Invoker that calls a servant in-process through encoded argument and result buffers. */
function loopback(servant: DrawingServant, calls: string[]): Invoker {
  return {
    async invoke<R>(
      func: string,
      writeArgs: (a: ArgWriter) => void,
      readResult: (r: ArgReader) => R,
      options?: CallOptions,
    ) {
      calls.push(`${func}${options?.context ? ` ${JSON.stringify(options.context)}` : ''}`);
      const args = new V1ArgWriter();
      writeArgs(args);
      const op = DrawingServant.operations[func];
      assert.ok(op, `no operation ${func}`);
      const result = new V1ArgWriter();
      const ctx: ServantCallContext = {
        servantName: 'Test.Server.DrawingObj',
        funcName: func,
        requestId: 1,
        context: new Map(Object.entries(options?.context ?? {})),
        remoteAddress: '127.0.0.1',
        remotePort: 1,
      };
      await op(servant, new V1ArgReader(args.w.toBytes()), result, ctx);
      return readResult(new V1ArgReader(result.w.toBytes()));
    },
  };
}

class Drawing extends DrawingServant {
  pings = 0;
  ping(): void {
    this.pings++;
  }
  async draw(req: Request, ctx: ServantCallContext) {
    return { ret: req.at.x + req.at.y, status: Status.FAILED, message: `${ctx.funcName} ${req.color}` };
  }
  trace(user: string, limit: number): Point[] {
    return Array.from({ length: limit }, (_, i) => ({ x: i, y: user.length }));
  }
  echo(value: AllTypes): AllTypes {
    return value;
  }
  reset() {
    return { count: 2n ** 63n - 1n };
  }
  blobs(names: string[], tint: Color): Map<string, Uint8Array> {
    return new Map(names.map((n) => [n, new Uint8Array([tint])]));
  }
}

test('a generated proxy and a generated servant agree on arguments, results and out parameters', async () => {
  const impl = new Drawing();
  const calls: string[] = [];
  const proxy = new DrawingProxy(loopback(impl, calls));

  assert.equal(await proxy.ping(), undefined);
  assert.equal(impl.pings, 1);
  assert.deepEqual(await proxy.draw({ at: { x: 2, y: 3 }, color: Color.TEAL, path: [] }), {
    ret: 5,
    status: Status.FAILED,
    message: 'draw 16',
  });
  assert.deepEqual(await proxy.trace('bob', 2), {
    ret: [
      { x: 0, y: 3 },
      { x: 1, y: 3 },
    ],
  });
  assert.deepEqual(await proxy.echo(sample()), { ret: sample() });
  assert.deepEqual(await proxy.reset(), { count: 2n ** 63n - 1n });
  assert.deepEqual(await proxy.blobs(['a'], Color.BLUE, { context: { k: 'v' } }), {
    ret: new Map([['a', Buffer.from([6])]]),
  });
  assert.deepEqual(calls, ['ping', 'draw', 'trace', 'echo', 'reset', 'blobs {"k":"v"}']);
});

test('proxies and servants name their IDL interface', () => {
  assert.equal(DrawingProxy.idlName, 'Service.Drawing');
  assert.equal(DrawingServant.idlName, 'Service.Drawing');
  assert.deepEqual(Object.keys(DrawingServant.operations), [
    'ping',
    'draw',
    'trace',
    'echo',
    'reset',
    'blobs',
  ]);
});
