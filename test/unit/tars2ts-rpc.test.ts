/**
 * Generated code over the real RPC layer: a generated proxy on an ObjectProxy calls a generated servant hosted by a
 * TarsServer on a loopback port, with TARS (v1) and TUP (v3) packets.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import type { ServantCallContext } from '../../src/tars/contract.js';
import { HelloProxy, HelloServant } from '../../examples/chat/generated/hello.js';
import { DrawingProxy, DrawingServant, Status, type Request } from '../fixtures/tars/generated/service.js';
import { AllTypes, Color, type Point } from '../fixtures/tars/generated/types.js';

class Hello extends HelloServant {
  hello(no: number, name: string): string {
    return `hello ${name} #${no}`;
  }
}

class Drawing extends DrawingServant {
  ping(): void {}
  async draw(req: Request, ctx: ServantCallContext) {
    return { ret: req.at.x * req.at.y, status: Status.OK, message: ctx.context.get('who') ?? '' };
  }
  trace(user: string, limit: number): Point[] {
    return Array.from({ length: limit }, (_, i) => ({ x: i, y: user.length }));
  }
  echo(value: AllTypes): AllTypes {
    return value;
  }
  reset() {
    return { count: -(2n ** 63n) };
  }
  blobs(names: string[], tint: Color): Map<string, Uint8Array> {
    return new Map(names.map((n) => [n, new Uint8Array([tint, n.length])]));
  }
}

const server = new TarsServer({ port: 0 });
server.addServant('Test.Gen.HelloObj', new Hello(), HelloServant.operations);
server.addServant('Test.Gen.DrawingObj', new Drawing(), DrawingServant.operations);
const proxies: ObjectProxy[] = [];

function connect(name: string, version: 1 | 3): ObjectProxy {
  const p = new ObjectProxy(`${name}@${server.endpoint}`, { version });
  proxies.push(p);
  return p;
}

before(async () => {
  await server.listen();
});
after(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await server.close();
});

for (const version of [1, 3] as const) {
  test(`the generated Hello proxy calls the generated Hello servant (version ${version})`, async () => {
    const hello = new HelloProxy(connect('Test.Gen.HelloObj', version));
    assert.deepEqual(await hello.hello(7, 'ann'), { ret: 'hello ann #7' });
  });

  test(`structs, out parameters, long and byte buffers cross the wire (version ${version})`, async () => {
    const drawing = new DrawingProxy(connect('Test.Gen.DrawingObj', version));
    assert.equal(await drawing.ping(), undefined);
    assert.deepEqual(
      await drawing.draw({ at: { x: 6, y: 7 }, color: Color.BLUE, path: [] }, { context: { who: 'me' } }),
      { ret: 42, status: Status.OK, message: 'me' },
    );
    assert.deepEqual(await drawing.trace('ab', 2), {
      ret: [
        { x: 0, y: 2 },
        { x: 1, y: 2 },
      ],
    });
    const value = {
      ...AllTypes.create(),
      bytes: Buffer.from([1, 2]),
      i64: 2n ** 62n,
      s: 'é',
      ints: [1, 2],
      origin: { x: 1, y: 2 },
    };
    assert.deepEqual(await drawing.echo(value), { ret: value });
    assert.deepEqual(await drawing.reset(), { count: -(2n ** 63n) });
    const blobs = await drawing.blobs(['xyz'], Color.TEAL);
    assert.deepEqual(
      [...blobs.ret].map(([k, v]) => [k, [...v]]),
      [['xyz', [16, 3]]],
    );
  });
}
