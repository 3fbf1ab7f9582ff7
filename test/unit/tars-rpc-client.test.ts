/**
 * The RPC client (ObjectProxy over EndpointPool over ClientConnection) against our server and against raw peers
 * that misbehave on purpose. Real sockets on 127.0.0.1, ephemeral ports.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ArgReader } from '../../src/tars/contract.js';
import { TarsValues as V } from '../../src/tars/codec/values.js';
import { Communicator } from '../../src/tars/rpc/communicator.js';
import { TarsRet, TarsRpcError } from '../../src/tars/rpc/errors.js';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { createEndpointF, writeEndpointF, type EndpointF } from '../../src/tars/rpc/registry-resolver.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import {
  freePort,
  PROBE,
  ProbeImpl,
  probeOperations,
  responseTo,
  startProbeServer,
  startRawServer,
  stringResult,
  type RawServer,
} from '../support/tars-rpc-fixtures.js';

const readString = (r: ArgReader): string => r.read(0, '', V.string.read);
const who = (p: ObjectProxy, context?: Record<string, string>, timeout?: number): Promise<string> =>
  p.invoke('who', () => undefined, readString, { context, timeout });
const hold = (p: ObjectProxy, timeout?: number): Promise<number> =>
  p.invoke(
    'hold',
    () => undefined,
    (r) => r.read(0, '', V.int32.read),
    { timeout },
  );

function rejectsWith(code: number): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof TarsRpcError, `expected TarsRpcError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

describe('ObjectProxy against our server', () => {
  let probe: { server: TarsServer; impl: ProbeImpl; address: string };
  before(async () => {
    probe = await startProbeServer('A');
  });
  after(async () => {
    probe.impl.release();
    await probe.server.close();
  });

  test('concurrent calls are multiplexed on one connection with distinct request ids', async () => {
    const proxy = new ObjectProxy(probe.address);
    const answers = await Promise.all(Array.from({ length: 50 }, () => who(proxy)));
    const ports = new Set(answers.map((a) => a.split(':')[2]));
    const ids = new Set(answers.map((a) => a.split(':')[1]));
    assert.equal(ports.size, 1);
    assert.equal(ids.size, 50);
    await proxy.close();
  });

  test('the context map reaches the servant', async () => {
    const proxy = new ObjectProxy(probe.address);
    assert.match(await who(proxy, { trace: 't-1', user: 'u' }), /:trace=t-1,user=u$/);
    await proxy.close();
  });

  test('request ids wrap around to 1 before 2^31', async () => {
    const proxy = new ObjectProxy(probe.address, { firstRequestId: 2 ** 31 - 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await who(proxy)).split(':')[1] ?? '');
    assert.deepEqual(ids, ['2147483646', '2147483647', '1']);
    await proxy.close();
  });

  test('a call without a reply fails with -7 at its timeout, and a late reply is ignored', async () => {
    const proxy = new ObjectProxy(probe.address);
    const before = await who(proxy);
    await assert.rejects(hold(proxy, 30), rejectsWith(TarsRet.InvokeTimeout));
    probe.impl.release();
    const afterwards = await who(proxy);
    assert.equal(afterwards.split(':')[2], before.split(':')[2], 'same connection');
    await proxy.close();
  });

  test('a one-way call resolves at once with default results', async () => {
    const proxy = new ObjectProxy(probe.address);
    assert.equal(await proxy.invoke('who', () => undefined, readString, { oneway: true }), '');
    await proxy.close();
  });

  test('close() lets an in-flight call finish', async () => {
    const proxy = new ObjectProxy(probe.address);
    await who(proxy);
    const held = probe.impl.heldCount;
    const pending = hold(proxy);
    while (probe.impl.heldCount === held) await new Promise((r) => setImmediate(r));
    const closing = proxy.close(5000);
    probe.impl.release();
    assert.equal(await pending, 7);
    await closing;
    await assert.rejects(who(proxy), rejectsWith(TarsRet.SendRequestError));
  });

  test('destroy() fails in-flight calls with -13', async () => {
    const proxy = new ObjectProxy(probe.address);
    await who(proxy);
    const pending = hold(proxy);
    proxy.destroy();
    await assert.rejects(pending, rejectsWith(TarsRet.SendRequestError));
    probe.impl.release();
  });

  test('calls go round robin over the endpoints', async () => {
    const b = await startProbeServer('B');
    const proxy = new ObjectProxy(`${PROBE}@${probe.server.endpoint}:${b.server.endpoint}`);
    const tags: string[] = [];
    for (let i = 0; i < 4; i++) tags.push((await who(proxy)).split(':')[0] ?? '');
    assert.deepEqual([...tags].sort(), ['A', 'A', 'B', 'B']);
    assert.notEqual(tags[0], tags[1]);
    await proxy.close();
    await b.server.close();
  });

  test('a refused endpoint is skipped for the next one', async () => {
    const dead = await freePort();
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${dead}:${probe.server.endpoint}`);
    for (let i = 0; i < 4; i++) assert.match(await who(proxy), /^A:/);
    await proxy.close();
  });
});

describe('ObjectProxy failures', () => {
  test('a refused connection fails with -8', async () => {
    const port = await freePort();
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${port}`, { backoffBase: 1 });
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    await proxy.close();
  });

  test('an endpoint is isolated after N consecutive failures, then probed by one call after the cool-down', async () => {
    const hole = await startRawServer(() => undefined); // accepts requests, never answers
    const good = await startProbeServer('G');
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@${hole.endpoint}:${good.server.endpoint}`, {
      timeout: 400,
      isolateAfter: 2,
      isolateFor: 60_000,
      now: () => now,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(
        await who(proxy).then(
          (s) => s.slice(0, 1),
          (e: TarsRpcError) => String(e.code),
        ),
      );
    }
    assert.equal(hole.requests.length, 2, 'two timeouts, then isolated');
    assert.deepEqual(outcomes.filter((o) => o === '-7').length, 2);
    now += 60_001;
    for (let i = 0; i < 4; i++) await who(proxy).catch(() => undefined);
    assert.equal(hole.requests.length, 3, 'exactly one probe after the cool-down');
    await proxy.close();
    await good.server.close();
    await hole.close();
  });

  test('a probe call that times out before its connection opens does not stop later probes', async (t) => {
    const raw = await startRawServer((_req, socket) => socket.destroy()); // every call loses its connection
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`, {
      timeout: 1000,
      isolateAfter: 1,
      isolateFor: 60_000,
      now: () => now,
    });
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError)); // isolated now
    now += 60_001;
    // The probe's timer fires before its connect can complete; the connect then completes for nobody.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const probe = who(proxy);
    t.mock.timers.tick(1000);
    await assert.rejects(probe, rejectsWith(TarsRet.InvokeTimeout));
    t.mock.timers.reset();
    // The next call probes the endpoint again (and loses its connection there) instead of waiting for nothing.
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    assert.equal(raw.requests.length, 2);
    await proxy.close();
    await raw.close();
  });

  test('calls waiting for a probe sleep until its verdict instead of polling', async () => {
    const probe = await startProbeServer('P');
    let now = 1_000_000;
    let clockReads = 0;
    const proxy = new ObjectProxy(probe.address, {
      isolateAfter: 1,
      isolateFor: 60_000,
      now: () => {
        clockReads++;
        return now;
      },
    });
    await assert.rejects(hold(proxy, 30), rejectsWith(TarsRet.InvokeTimeout)); // isolated now
    now += 60_001;
    const verdict = hold(proxy); // the probe, held by the server
    clockReads = 0;
    const waiting = who(proxy);
    // Time for a polling loop to show itself; nothing happens in between that a test could await.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const readsWhileWaiting = clockReads;
    probe.impl.release();
    assert.equal(await verdict, 7);
    assert.match(await waiting, /^P:/);
    assert.ok(readsWhileWaiting < 10, `the waiting call read the clock ${readsWhileWaiting} times`);
    await proxy.close();
    await probe.server.close();
  });

  test('a garbage reply fails the call with -12, closes the connection, and nothing throws', async () => {
    const raw = await startRawServer((_req, socket) =>
      socket.write(Buffer.from([0, 0, 0, 9, 0xff, 0xfe, 0xfd, 0xfc, 0xfb])),
    );
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`);
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ClientDecodeError));
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ClientDecodeError));
    await proxy.close();
    await raw.close();
  });

  test('a reply frame longer than the maximum fails in-flight calls with -12', async () => {
    const raw = await startRawServer((_req, socket) => socket.write(Buffer.from([0x7f, 0, 0, 0, 1, 2, 3])));
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`, { maxPacketLength: 1024 });
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ClientDecodeError));
    await proxy.close();
    await raw.close();
  });

  test('a reply for an unknown request id is dropped and the real reply still arrives', async () => {
    const raw = await startRawServer((req, socket) => {
      socket.write(
        responseTo({ ...req, iRequestId: req.iRequestId + 1000 }, { sBuffer: stringResult('stray') }),
      );
      socket.write(responseTo(req, { sBuffer: stringResult('mine') }));
    });
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`);
    assert.equal(await who(proxy), 'mine');
    await proxy.close();
    await raw.close();
  });

  test('a reply whose result does not decode fails only that call with -12', async () => {
    let n = 0;
    const raw = await startRawServer((req, socket) => {
      n++;
      socket.write(responseTo(req, { sBuffer: n === 1 ? new Uint8Array([0x99]) : stringResult('fine') }));
    });
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`);
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ClientDecodeError));
    assert.equal(await who(proxy), 'fine');
    assert.equal(new Set(raw.requests.map((r) => r.iRequestId)).size, 2);
    await proxy.close();
    await raw.close();
  });

  test('a server error code arrives as TarsRpcError with the server description', async () => {
    const raw = await startRawServer((req, socket) =>
      socket.write(responseTo(req, { iRet: -9, sResultDesc: 'overloaded' })),
    );
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`);
    await assert.rejects(
      who(proxy),
      (e: unknown) => e instanceof TarsRpcError && e.code === -9 && e.message === 'overloaded',
    );
    await proxy.close();
    await raw.close();
  });
});

describe('endpoint health (isolation policy)', () => {
  /** A peer that answers every other request (the 1st, 3rd, ...) and leaves the others to time out. */
  const halfDeaf = (): Promise<RawServer> => {
    let n = 0;
    return startRawServer((req, socket) => {
      if (n++ % 2 === 0) socket.write(responseTo(req, { sBuffer: stringResult('half') }));
    });
  };
  const outcome = (p: Promise<string>): Promise<string> =>
    p.then(
      (s) => s,
      (e: TarsRpcError) => String(e.code),
    );

  test('a service started after a first failed call answers the next call: a failed connect does not isolate', async () => {
    const port = await freePort();
    let skew = 0;
    // The defaults, as the Hello demo uses them; the clock lets the test "wait" without sleeping.
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${port}`, { now: () => Date.now() + skew });
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError)); // several connects refused
    const server = new TarsServer({ port });
    server.addServant(PROBE, new ProbeImpl('H'), probeOperations);
    await server.listen();
    skew += 2000; // the longest reconnect backoff (backoffMax) later
    const started = performance.now();
    assert.match(await who(proxy, undefined, 1000), /^H:/);
    assert.ok(performance.now() - started < 1000, 'answered without waiting for an isolation to end');
    await proxy.close();
    await server.close();
  });

  test('a call made right after a failed one waits out the reconnect backoff and reaches a service started meanwhile', async () => {
    const port = await freePort();
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${port}`);
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    const server = new TarsServer({ port });
    server.addServant(PROBE, new ProbeImpl('W'), probeOperations);
    await server.listen();
    // Real time this once: the wait is the pool's own timer, bounded by backoffMax (2 s) and the call's 3 s timeout.
    assert.match(await who(proxy), /^W:/);
    await proxy.close();
    await server.close();
  });

  test('calls sharing one failed connect back off once, not once each', async () => {
    const port = await freePort();
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${port}`, { timeout: 100, now: () => now });
    const calls = Array.from({ length: 10 }, () => outcome(who(proxy)));
    for (const code of await Promise.all(calls)) assert.match(code, /^-(7|8)$/);
    const server = new TarsServer({ port });
    server.addServant(PROBE, new ProbeImpl('B'), probeOperations);
    await server.listen();
    now += 100; // backoffBase: one failed attempt, whatever the number of calls that waited for it
    assert.match(await who(proxy, undefined, 1000), /^B:/);
    proxy.destroy();
    await server.close();
  });

  test('an endpoint failing half of 10 calls in the window is isolated, and probed 3 s later', async () => {
    const raw = await halfDeaf();
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`, { timeout: 400, now: () => now });
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) seen.push(await outcome(who(proxy)));
    assert.deepEqual(seen, ['half', '-7', 'half', '-7', 'half', '-7', 'half', '-7', 'half', '-7']);
    // Never 5 failures in a row: the ratio (5 of 10 >= 0.5) isolated it.
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    assert.equal(raw.requests.length, 10);
    now += 3000;
    assert.equal(await who(proxy), 'half', 'the probe gets through and brings the endpoint back');
    assert.equal(await outcome(who(proxy)), '-7', 'in use again');
    await proxy.close();
    await raw.close();
  });

  test('failures spread over several windows do not isolate', async () => {
    const raw = await halfDeaf();
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`, { timeout: 400, now: () => now });
    for (let i = 0; i < 16; i++) {
      if (i % 6 === 0) now += 60_000; // a new window every 6 calls: never the 10 calls the ratio needs
      await outcome(who(proxy));
    }
    assert.equal(raw.requests.length, 16);
    await proxy.close();
    await raw.close();
  });

  test('each failed probe doubles the time to the next one', async () => {
    const hole = await startRawServer(() => undefined);
    let now = 1_000_000;
    const proxy = new ObjectProxy(`${PROBE}@${hole.endpoint}`, {
      timeout: 400,
      isolateAfter: 1,
      now: () => now,
    });
    const requestsAfter = async (advance: number): Promise<number> => {
      now += advance;
      await outcome(who(proxy));
      return hole.requests.length;
    };
    assert.equal(await requestsAfter(0), 1, 'isolated by the first timeout');
    assert.equal(await requestsAfter(2999), 1, 'no probe before isolateFor');
    assert.equal(await requestsAfter(1), 2, 'the first probe after 3 s, which fails');
    assert.equal(await requestsAfter(3000), 2, 'the next one waits 6 s');
    assert.equal(await requestsAfter(3000), 3);
    await proxy.close();
    await hole.close();
  });

  test('an isolation option out of range is refused with its name', () => {
    assert.throws(() => new ObjectProxy(`${PROBE}@tcp -h h -p 1`, { isolateRatio: 0 }), /isolateRatio/);
    assert.throws(
      () => new ObjectProxy(`${PROBE}@tcp -h h -p 1`, { isolateMinCalls: 0.5 }),
      /isolateMinCalls/,
    );
    assert.throws(
      () => new ObjectProxy(`${PROBE}@tcp -h h -p 1`, { backoffBase: 500, backoffMax: 100 }),
      /backoffMax/,
    );
  });
});

describe('ObjectProxy and peers that reset', () => {
  test('a server that resets on accept fails the call with -8, and the process and other endpoints go on', async () => {
    const resetter = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    const port = (resetter.address() as net.AddressInfo).port;
    const proxy = new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p ${port}`, { timeout: 300 });
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    proxy.destroy();
    const good = await startProbeServer('G');
    const other = new ObjectProxy(good.address);
    assert.match(await who(other), /^G:/);
    await other.close();
    await good.server.close();
    await new Promise((resolve) => resetter.close(resolve));
  });

  test('a server that resets with the request in flight fails the call with -8, and the next call reconnects', async () => {
    let resets = 0;
    const raw = await startRawServer((req, socket) => {
      if (resets++ === 0) socket.resetAndDestroy();
      else socket.write(responseTo(req, { sBuffer: stringResult('after') }));
    });
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`);
    await assert.rejects(who(proxy), rejectsWith(TarsRet.ProxyConnectError));
    assert.equal(await who(proxy), 'after');
    await proxy.close();
    await raw.close();
  });
});

describe('registry lookup', () => {
  test('an address without endpoints is resolved through QueryObj.findObjectById', async () => {
    const target = await startProbeServer('R');
    const asked: string[] = [];
    const registry = new TarsServer({ port: 0 });
    const endpointF = V.struct({
      name: 'tars.EndpointF',
      write: writeEndpointF,
      read: () => createEndpointF(),
      create: createEndpointF,
    });
    registry.addServant(
      'tars.tarsregistry.QueryObj',
      {},
      {
        async findObjectById(_impl, args, result) {
          asked.push(args.read(1, 'id', V.string.read));
          const ep: EndpointF = {
            ...createEndpointF(),
            host: '127.0.0.1',
            port: target.server.address.port,
            timeout: 3000,
          };
          result.write(0, '', [ep], V.list(endpointF).write);
        },
      },
    );
    await registry.listen();
    const comm = new Communicator({ locator: `tars.tarsregistry.QueryObj@${registry.endpoint}` });
    const proxy = comm.stringToProxy(PROBE);
    assert.match(await who(proxy), /^R:/);
    assert.deepEqual(asked, [PROBE]);
    assert.deepEqual(
      proxy.endpoints.map((e) => e.port),
      [target.server.address.port],
    );
    await comm.close();
    await registry.close();
    await target.server.close();
  });
});

describe('ObjectProxy closing while connecting', () => {
  test('destroy() during a connect fails the waiting call at once with a TarsRpcError', async () => {
    const { server, address } = await startProbeServer('D');
    const proxy = new ObjectProxy(address);
    const pending = who(proxy); // connecting now
    proxy.destroy();
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof TarsRpcError && e.code !== TarsRet.InvokeTimeout, // not left to time out
    );
    await server.close();
  });
});
