/**
 * Interop with the Node reference implementation, @tars/rpc 2.0.15, over real loopback sockets: our client calling
 * its server and its client calling our server, in TARS (iVersion 1) and TUP (iVersion 2 with type names, and 3), through a test
 * interface with structs, vectors, maps, enums, long, bytes, out parameters and errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { TarsRet, TarsRpcError } from '../../src/tars/rpc/errors.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import { Color, EchoImpl, EchoProxy, echoOperations, Item } from '../support/tars-official/interop.js';
import {
  OfficialCallError,
  officialEchoClient,
  startOfficialEchoServer,
  startOfficialRegistry,
  type OfficialServer,
} from '../support/tars-official/official-rpc.js';
import { Communicator } from '../../src/tars/rpc/communicator.js';

const SERVANT = 'Test.InteropServer.EchoObj';

function sampleItem(id: number): Item {
  return {
    ...Item.create(),
    id,
    name: `item-${id}`,
    color: Color.BLUE,
    tags: ['x', 'yé'],
    scores: new Map([
      ['a', 1],
      ['b', -70000],
    ]),
    big: 2n ** 40n + 3n,
    flag: true,
    ratio: 0.25,
  };
}

for (const version of [1, 2, 3] as const) {
  const proto = version === 1 ? 'TARS' : version === 2 ? 'TUP v2 (complex)' : 'TUP v3 (simple)';

  describe(`our client calling an @tars/rpc server over ${proto}`, () => {
    let official: OfficialServer;
    let proxy: ObjectProxy;
    let echo: EchoProxy;
    before(async () => {
      official = await startOfficialEchoServer(SERVANT);
      proxy = new ObjectProxy(`${SERVANT}@${official.endpoint}`, { version });
      echo = new EchoProxy(proxy);
    });
    after(async () => {
      await proxy.close();
      await official.stop();
    });

    test('a call with scalar arguments returns the value', async () => {
      assert.deepEqual(await echo.hello(7, 'ann'), { ret: 'hello ann #7' });
    });

    test('a struct with vectors, maps, long, bool, double and an enum goes in and comes back as an out parameter', async () => {
      const req = sampleItem(41);
      const { ret, rsp } = await echo.echoItem(req);
      assert.equal(ret, 41);
      assert.deepEqual(rsp, { ...req, id: 42, name: 'item-41!', tags: ['x', 'yé', 'echoed'] });
    });

    test('vectors of structs and maps go in; a struct holding a map of structs and bytes comes out with an int', async () => {
      const items = [sampleItem(1), { ...Item.create(), id: 2 }];
      const out = await echo.pack(
        items,
        new Map([
          ['k', 'v'],
          ['a', 'b'],
        ]),
      );
      assert.equal(out.ret, 2);
      assert.equal(out.count, 2);
      assert.deepEqual(out.bag.items, items);
      assert.deepEqual([...out.bag.byId.keys()], [1, 2]);
      assert.deepEqual(out.bag.byId.get(2), items[1]);
      assert.equal(Buffer.from(out.bag.blob).toString('utf8'), 'a,k');
    });

    test('an enum argument and return value', async () => {
      assert.deepEqual(await echo.next(Color.GREEN), { ret: Color.BLUE });
    });

    test('a servant error arrives as a TarsRpcError with its code and description', async () => {
      await assert.rejects(echo.fail(-77, 'boom'), (e: unknown) => {
        assert.ok(e instanceof TarsRpcError);
        assert.equal(e.code, -77);
        assert.match(e.message, /boom/);
        return true;
      });
    });

    test('an unknown function fails with -3', async () => {
      await assert.rejects(
        proxy.invoke(
          'nothingHere',
          () => undefined,
          () => undefined,
        ),
        (e: unknown) => e instanceof TarsRpcError && e.code === TarsRet.NoSuchFunction,
      );
    });

    test('tars_ping answers 0', async () => {
      const ret = await proxy.invoke(
        'tars_ping',
        () => undefined,
        (r) => r.read(0, '', (rd, t, q) => rd.readInt32(t, q, -1)),
      );
      assert.equal(ret, 0);
    });

    test('a one-way call resolves without a reply and the connection keeps working', async () => {
      assert.deepEqual(await echo.hello(1, 'quiet', { oneway: true }), { ret: '' });
      assert.deepEqual(await echo.hello(2, 'loud'), { ret: 'hello loud #2' });
    });
  });

  describe(`an @tars/rpc client calling our server over ${proto}`, () => {
    let server: TarsServer;
    let client: ReturnType<typeof officialEchoClient>;
    before(async () => {
      server = new TarsServer({ port: 0 });
      server.addServant(SERVANT, new EchoImpl(), echoOperations);
      await server.listen();
      client = officialEchoClient(`${SERVANT}@${server.endpoint}`, version);
    });
    after(async () => {
      client.destroy();
      await server.close();
    });

    test('a call with scalar arguments returns the value', async () => {
      assert.equal(await client.hello(7, 'bob'), 'hello bob #7');
    });

    test('a struct with vectors, maps, long, bool, double and an enum round-trips as an out parameter', async () => {
      const req = {
        id: 5,
        name: 'n',
        color: Color.RED,
        tags: ['t'],
        scores: { s: 9 },
        big: 2 ** 40 + 3,
        flag: true,
        ratio: 1.5,
      };
      const { ret, rsp } = await client.echoItem(req);
      assert.equal(ret, 5);
      assert.deepEqual(rsp, { ...req, id: 6, name: 'n!', tags: ['t', 'echoed'] });
    });

    test('vectors of structs and maps go in; out parameters come back', async () => {
      const out = await client.pack([{ id: 1, name: 'a' }, { id: 2 }], { z: '1', y: '2' });
      assert.equal(out.ret, 2);
      assert.equal(out.count, 2);
      assert.deepEqual(
        out.bag.items.map((i) => [i.id, i.name, i.color]),
        [
          [1, 'a', Color.GREEN],
          [2, '', Color.GREEN],
        ],
      );
      assert.deepEqual(Object.keys(out.bag.byId).sort(), ['1', '2']);
      assert.equal(Buffer.from(out.bag.blob).toString('utf8'), 'y,z');
    });

    test('an enum argument and return value', async () => {
      assert.equal(await client.next(Color.BLUE), Color.RED);
    });

    test('a TarsRpcError thrown by the servant reaches the caller with its code', async () => {
      await assert.rejects(client.fail(-77, 'boom'), (e: unknown) => {
        assert.ok(e instanceof OfficialCallError);
        assert.equal(e.code, -77);
        // The reference client drops sResultDesc for TUP replies; for TARS it is passed on.
        if (version === 1) assert.match(e.message, /boom/);
        return true;
      });
    });
  });
}

describe('our client resolving through an @tars/rpc registry', () => {
  test('findObjectById answers with EndpointF records our client connects to', async () => {
    const target = new TarsServer({ port: 0 });
    target.addServant(SERVANT, new EchoImpl(), echoOperations);
    const { port } = await target.listen();
    const asked: string[] = [];
    const registry = await startOfficialRegistry(
      'tars.tarsregistry.QueryObj',
      { [SERVANT]: [{ host: '127.0.0.1', port }] },
      asked,
    );
    const comm = new Communicator({ locator: `tars.tarsregistry.QueryObj@${registry.endpoint}` });
    const echo = comm.proxy(EchoProxy, SERVANT);
    assert.deepEqual(await echo.hello(3, 'reg'), { ret: 'hello reg #3' });
    assert.deepEqual(asked, [SERVANT]);
    await comm.close();
    await registry.stop();
    await target.close();
  });
});
