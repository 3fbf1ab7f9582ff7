/**
 * TarsServer as a raw client sees it: dispatch results and iRet codes, TUP reply shape, one-way requests, bad
 * packets, size limits and graceful close.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TarsValues as V } from '../../src/tars/codec/values.js';
import { createArgReader, createArgWriter } from '../../src/tars/packet/args.js';
import { decodeRequestPacket } from '../../src/tars/packet/request-packet.js';
import { decodeResponsePacket } from '../../src/tars/packet/response-packet.js';
import { TarsRet } from '../../src/tars/rpc/errors.js';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import { eventually } from '../support/eventually.js';
import { PROBE, ProbeImpl, probeOperations, RawClient, requestFrame } from '../support/tars-rpc-fixtures.js';

const OTHER = 'Test.RpcServer.OtherObj';

function intArg(version: number, name: string, v: number): Uint8Array {
  const w = createArgWriter(version);
  w.write(1, name, v, V.int32.write);
  return w.toBytes();
}

/** Resolves with `p`, or fails after `ms`: a deadline for an event that must come. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('TarsServer', () => {
  let server: TarsServer;
  let impl: ProbeImpl;
  let port: number;
  before(async () => {
    impl = new ProbeImpl('S');
    server = new TarsServer({ port: 0, maxPacketLength: 4096 });
    server.addServant(PROBE, impl, probeOperations);
    server.addServant(OTHER, impl, probeOperations);
    port = (await server.listen()).port;
  });
  after(async () => {
    impl.release();
    await server.close();
  });

  async function call(p: Parameters<RawClient['send']>[0]): Promise<ReturnType<typeof decodeResponsePacket>> {
    const c = await RawClient.connect(port);
    c.send(p);
    const reply = decodeResponsePacket(await c.frame(1));
    c.destroy();
    return reply;
  }

  test('dispatches by servant and function name and replies with the request id', async () => {
    const r = await call({ iRequestId: 77, sFuncName: 'who', context: new Map([['k', 'v']]) });
    assert.equal(r.iRet, 0);
    assert.equal(r.iRequestId, 77);
    assert.match(createArgReader(1, r.sBuffer).read(0, '', V.string.read), /^S:77:\d+:k=v$/);
  });

  test('an unknown servant gets -4', async () => {
    assert.equal((await call({ sServantName: 'No.Such.Obj' })).iRet, TarsRet.NoSuchServant);
  });

  test('an unknown function gets -3', async () => {
    const r = await call({ sFuncName: 'nope' });
    assert.equal(r.iRet, TarsRet.NoSuchFunction);
    assert.match(r.sResultDesc, /nope/);
  });

  test('tars_ping answers 0 on every servant', async () => {
    for (const sServantName of [PROBE, OTHER]) {
      const r = await call({ sServantName, sFuncName: 'tars_ping' });
      assert.equal(r.iRet, 0);
      assert.equal(createArgReader(1, r.sBuffer).read(0, '', V.int32.read), 0);
    }
  });

  test('arguments that do not decode get -1', async () => {
    assert.equal(
      (await call({ sFuncName: 'boom', sBuffer: new Uint8Array() })).iRet,
      TarsRet.ServerDecodeError,
    );
    assert.equal(
      (await call({ sFuncName: 'boom', sBuffer: new Uint8Array([0x16, 0x09]) })).iRet,
      TarsRet.ServerDecodeError,
    );
  });

  test('a servant exception gets -99 with its message as sResultDesc', async () => {
    const r = await call({ sFuncName: 'boom', sBuffer: intArg(1, 'kind', 2) });
    assert.equal(r.iRet, TarsRet.Unknown);
    assert.equal(r.sResultDesc, 'plain failure');
  });

  test('a TarsRpcError thrown by the servant chooses the iRet', async () => {
    const r = await call({ sFuncName: 'boom', sBuffer: intArg(1, 'kind', 1) });
    assert.equal(r.iRet, -42);
    assert.equal(r.sResultDesc, 'typed failure');
  });

  test('a TUP request gets a RequestPacket-shaped reply with the result code in status', async () => {
    const c = await RawClient.connect(port);
    c.send({ iVersion: 3, iRequestId: 5, sFuncName: 'boom', sBuffer: intArg(3, 'kind', 1) });
    c.send({ iVersion: 3, iRequestId: 6, sFuncName: 'who', sBuffer: createArgWriter(3).toBytes() });
    const failed = decodeRequestPacket(await c.frame(1));
    const ok = decodeRequestPacket(await c.frame(2));
    c.destroy();
    assert.equal(failed.iVersion, 3);
    assert.equal(failed.iRequestId, 5);
    assert.equal(failed.sServantName, PROBE);
    assert.equal(failed.sFuncName, 'boom');
    assert.equal(failed.status.get('STATUS_RESULT_CODE'), '-42');
    assert.equal(failed.status.get('STATUS_RESULT_DESC'), 'typed failure');
    assert.equal(ok.status.get('STATUS_RESULT_CODE'), '0');
    assert.match(createArgReader(3, ok.sBuffer).read(0, '', V.string.read), /^S:6:/);
  });

  test('a one-way request gets no reply', async () => {
    const c = await RawClient.connect(port);
    c.send({ iRequestId: 1, cPacketType: 1 });
    c.send({ iRequestId: 2 });
    const first = decodeResponsePacket(await c.frame(1));
    assert.equal(first.iRequestId, 2);
    c.destroy();
  });

  test('a bad frame length closes that connection only', async () => {
    const bad = await RawClient.connect(port);
    const good = await RawClient.connect(port);
    bad.socket.write(Buffer.from([0, 0, 0, 2, 9, 9]));
    await bad.closed;
    good.send({ iRequestId: 3 });
    assert.equal(decodeResponsePacket(await good.frame(1)).iRet, 0);
    good.destroy();
  });

  test('a packet above maxPacketLength closes the connection', async () => {
    const c = await RawClient.connect(port);
    c.send({ sBuffer: new Uint8Array(5000) });
    await c.closed;
    assert.equal(c.frames.length, 0);
  });

  test('an undecodable packet closes the connection', async () => {
    const c = await RawClient.connect(port);
    c.socket.write(Buffer.from([0, 0, 0, 8, 0x1f, 0xff, 0xff, 0xff]));
    await c.closed;
  });

  const request = (iRequestId: number, sFuncName = 'who'): Buffer => requestFrame({ iRequestId, sFuncName });
  const ids = (c: RawClient): number[] => c.frames.map((f) => decodeResponsePacket(f).iRequestId);

  test('requests in the same read before a bad frame length are answered, then the connection closes', async () => {
    const c = await RawClient.connect(port);
    c.socket.write(Buffer.concat([request(1), request(2), Buffer.from([0, 0, 0, 2, 9, 9])]));
    await within(5000, c.closed, 'the close');
    assert.deepEqual(ids(c), [1, 2]);
  });

  test('requests before an undecodable packet are answered, the ones after it are not', async () => {
    const c = await RawClient.connect(port);
    const garbage = Buffer.from([0, 0, 0, 8, 0x1f, 0xff, 0xff, 0xff]);
    c.socket.write(Buffer.concat([request(1), garbage, request(3)]));
    await within(5000, c.closed, 'the close');
    assert.deepEqual(ids(c), [1]);
  });

  test('a request still being served when a bad frame arrives gets its reply before the close', async () => {
    const c = await RawClient.connect(port);
    const held = impl.heldCount;
    c.socket.write(request(1, 'hold'));
    await eventually(
      () => impl.heldCount,
      (n) => n === held + 1,
      { what: 'the call held' },
    );
    c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    // The bad frame is read; the connection must wait for the held call instead of closing now.
    const other = await RawClient.connect(port);
    other.send({ iRequestId: 9 });
    await other.frame(1);
    other.destroy();
    assert.equal(c.socket.destroyed, false);
    impl.release();
    await within(5000, c.closed, 'the close');
    assert.deepEqual(ids(c), [1]);
  });

  test('close() lets requests being served reply, then closes', async () => {
    const own = new ProbeImpl('C');
    const s = new TarsServer({ port: 0 });
    s.addServant(PROBE, own, probeOperations);
    const { port: p } = await s.listen();
    const c = await RawClient.connect(p);
    c.send({ iRequestId: 9, sFuncName: 'hold' });
    while (own.heldCount === 0) await new Promise((r) => setImmediate(r));
    const closing = s.close(5000);
    own.release();
    const reply = decodeResponsePacket(await c.frame(1));
    assert.equal(reply.iRequestId, 9);
    assert.equal(createArgReader(1, reply.sBuffer).read(0, '', V.int32.read), 7);
    await closing;
    await c.closed;
  });

  test('close() delivers a reply larger than the socket buffers in full before closing', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const called = new Promise<void>((resolve) => (arrived = resolve));
    const big = 'x'.repeat(8 * 1024 * 1024);
    const s = new TarsServer({ port: 0, maxPacketLength: 32 * 1024 * 1024 });
    s.addServant(
      PROBE,
      {},
      {
        async big(_impl, _args, res) {
          arrived();
          await released;
          res.write(0, '', big, V.string.write);
        },
      },
    );
    await s.listen();
    const proxy = new ObjectProxy(`${PROBE}@${s.endpoint}`, {
      maxPacketLength: 32 * 1024 * 1024,
      timeout: 30_000,
    });
    const reply = proxy.invoke(
      'big',
      () => undefined,
      (r) => r.read(0, '', V.string.read),
    );
    await called;
    const closing = s.close(5000);
    release();
    assert.equal((await reply).length, big.length);
    await closing;
    await proxy.close();
  });
});

describe('TarsServer and peers that reset', () => {
  test('connections reset right after connecting, or with a request in flight, leave the server serving others', async () => {
    const impl = new ProbeImpl('R');
    const server = new TarsServer({ port: 0 });
    server.addServant(PROBE, impl, probeOperations);
    const { port } = await server.listen();
    // Reset before the first byte: the server's socket sees ECONNRESET between accept and the first read.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = await RawClient.connect(port);
        c.socket.resetAndDestroy();
        await c.closed;
      }),
    );
    // Reset with a call being served: its reply is then written to a reset socket.
    const held = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const c = await RawClient.connect(port);
        c.send({ iRequestId: i + 1, sFuncName: 'hold' });
        return c;
      }),
    );
    await eventually(
      () => impl.heldCount,
      (n) => n === 10,
      { what: 'ten calls held' },
    );
    for (const c of held) c.socket.resetAndDestroy();
    await Promise.all(held.map((c) => c.closed));
    impl.release();
    const good = await RawClient.connect(port);
    good.send({ iRequestId: 42 });
    assert.equal(decodeResponsePacket(await good.frame(1)).iRequestId, 42);
    good.destroy();
    await server.close();
  });
});

describe('TarsServer idle connections', () => {
  let server: TarsServer;
  let impl: ProbeImpl;
  let port: number;
  before(async () => {
    impl = new ProbeImpl('I');
    server = new TarsServer({ port: 0, idleTimeoutMs: 150 });
    server.addServant(PROBE, impl, probeOperations);
    port = (await server.listen()).port;
  });
  after(async () => {
    impl.release();
    await server.close();
  });

  test('a connection that never sends a request is closed after idleTimeoutMs', async () => {
    const c = await RawClient.connect(port);
    const opened = performance.now();
    await within(5000, c.closed, 'the idle close');
    assert.ok(performance.now() - opened >= 140, 'not before the timeout');
  });

  test('a connection is closed idleTimeoutMs after its last reply', async () => {
    const c = await RawClient.connect(port);
    c.send({ iRequestId: 1 });
    await c.frame(1);
    const replied = performance.now();
    await within(5000, c.closed, 'the idle close');
    assert.ok(performance.now() - replied >= 140, 'not before the timeout');
  });

  test('a connection stuck in the middle of a frame is closed even while bytes trickle in', async () => {
    const c = await RawClient.connect(port);
    const frame = requestFrame();
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < frame.length - 1 && !c.socket.destroyed) c.socket.write(frame.subarray(sent, ++sent));
    }, 20); // one byte per 20 ms: always some traffic, never a whole frame within the timeout
    await within(5000, c.closed, 'the close of the stalled frame');
    clearInterval(trickle);
    assert.equal(c.frames.length, 0);
    assert.ok(sent < frame.length, 'closed before the frame could complete');
  });

  test('a connection with a request being served stays open past the timeout, and closes after the reply', async () => {
    const busy = await RawClient.connect(port);
    busy.send({ iRequestId: 1, sFuncName: 'hold' });
    await eventually(
      () => impl.heldCount,
      (n) => n >= 1,
      { what: 'the call held' },
    );
    // Another connection opened now and idle: once it is closed, the timeout has passed for the busy one too.
    const idle = await RawClient.connect(port);
    await within(5000, idle.closed, 'the idle close');
    assert.equal(busy.socket.destroyed, false, 'the busy connection is still open');
    impl.release();
    await busy.frame(1);
    await within(5000, busy.closed, 'the close after the reply');
  });

  test('an ObjectProxy whose connection was closed as idle reconnects on its next call', async () => {
    const proxy = new ObjectProxy(`${PROBE}@${server.endpoint}`);
    const who = (): Promise<string> =>
      proxy.invoke(
        'who',
        () => undefined,
        (r) => r.read(0, '', V.string.read),
      );
    const first = (await who()).split(':')[2];
    await eventually(
      () => proxy._pool.endpoints.length > 0 && proxy._pool.openConnections === 0,
      (gone) => gone,
      { what: 'the idle close seen by the client' },
    );
    const second = (await who()).split(':')[2];
    assert.notEqual(second, first, 'a new connection');
    await proxy.close();
  });
});

describe('TarsServer back-pressure', () => {
  test('stops reading a connection whose peer does not read its replies, and sends every reply once it does', async () => {
    let served = 0;
    const reply = 'x'.repeat(1000);
    const server = new TarsServer({ port: 0 });
    server.addServant(
      PROBE,
      {},
      {
        async echo(_impl, _args, res) {
          served++;
          res.write(0, '', reply, V.string.write);
        },
      },
    );
    const { port } = await server.listen();
    const c = await RawClient.connect(port);
    c.socket.pause(); // reads nothing: 50 MB of replies would pile up in the server
    const n = 50_000;
    c.socket.write(
      Buffer.concat(
        Array.from({ length: n }, (_, i) => requestFrame({ iRequestId: i + 1, sFuncName: 'echo' })),
      ),
    );
    let last = -1;
    const stalled = await eventually(
      () => {
        const stable = served === last;
        last = served;
        return stable ? served : -1;
      },
      (v) => v > 0,
      { everyMs: 200, what: 'the server to stop serving the connection' },
    );
    assert.ok(stalled < n / 2, `served ${stalled} of ${n} requests to a peer that reads nothing`);
    c.socket.resume();
    await within(30_000, c.frame(n), 'every reply');
    assert.equal(served, n);
    c.destroy();
    await server.close();
  });

  test('stops reading a connection with maxInFlightPerConnection requests being served, until half replied', async () => {
    const impl = new ProbeImpl('B');
    const server = new TarsServer({ port: 0, maxInFlightPerConnection: 4 });
    server.addServant(PROBE, impl, probeOperations);
    const { port } = await server.listen();
    const c = await RawClient.connect(port);
    for (let i = 1; i <= 4; i++) c.send({ iRequestId: i, sFuncName: 'hold' });
    await eventually(
      () => impl.heldCount,
      (n) => n === 4,
      { what: 'four calls held' },
    );
    for (let i = 5; i <= 8; i++) c.send({ iRequestId: i, sFuncName: 'hold' });
    // A round trip on another connection: had the first one still been read, its requests would have arrived.
    const other = await RawClient.connect(port);
    other.send({ iRequestId: 99 });
    await other.frame(1);
    other.destroy();
    assert.equal(impl.heldCount, 4);
    impl.release();
    await eventually(
      () => impl.heldCount,
      (n) => n === 8,
      { what: 'the next four calls read after the replies' },
    );
    impl.release();
    await c.frame(8);
    c.destroy();
    await server.close();
  });
});
