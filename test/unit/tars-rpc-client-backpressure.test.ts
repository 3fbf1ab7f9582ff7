/**
 * The client's bounded write buffer (`maxBufferedBytes`): a peer that accepts but does not read makes new calls
 * fail at once with -9 instead of piling requests up in memory; calls already written complete or time out as
 * before; once the peer reads again, calls flow. With several endpoints, a connection that is refusing is passed
 * over while another endpoint can take the call. Real sockets on 127.0.0.1, ephemeral ports.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import type { ArgReader } from '../../src/tars/contract.js';
import { TarsValues as V } from '../../src/tars/codec/values.js';
import { FrameDecoder } from '../../src/tars/packet/frame-decoder.js';
import { decodeRequestPacket } from '../../src/tars/packet/request-packet.js';
import { parseEndpoint, type Endpoint } from '../../src/tars/rpc/endpoint.js';
import { TarsRet, TarsRpcError } from '../../src/tars/rpc/errors.js';
import { ObjectProxy, type EndpointSource } from '../../src/tars/rpc/object-proxy.js';
import { PROBE, responseTo, startProbeServer, stringResult } from '../support/tars-rpc-fixtures.js';
import { within } from '../support/deadline.js';

const MAX = 256 * 1024;
const PAD = 'x'.repeat(16 * 1024);
const readString = (r: ArgReader): string => r.read(0, '', V.string.read);
/** A call whose request is a little over 16 KiB. */
const padded = (p: ObjectProxy, timeout?: number): Promise<string> =>
  p.invoke('who', (a) => a.write(1, 'pad', PAD, V.string.write), readString, { timeout });
const small = (p: ObjectProxy): Promise<string> => p.invoke('who', () => undefined, readString);
const oneway = (p: ObjectProxy): Promise<string> =>
  p.invoke('who', () => undefined, readString, { oneway: true });
/** One event-loop turn: the connection writes the requests of the turn before. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function isCode(e: unknown, code: number): boolean {
  assert.ok(e instanceof TarsRpcError, `expected TarsRpcError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
}

/** A TCP peer that accepts and does not read until `resume()`; then it answers every two-way request 'ok'. */
interface StalledServer {
  readonly endpoint: string;
  /** Request ids read so far, in order. */
  readonly received: number[];
  resume(): void;
  close(): Promise<void>;
}

async function startStalledServer(): Promise<StalledServer> {
  const sockets = new Set<net.Socket>();
  const received: number[] = [];
  let reading = false;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (!reading) socket.pause();
    const frames = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const body of frames.push(chunk)) {
        const req = decodeRequestPacket(body);
        received.push(req.iRequestId);
        if (req.cPacketType === 0) socket.write(responseTo(req, { sBuffer: stringResult('ok') }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `tcp -h 127.0.0.1 -p ${port}`,
    received,
    resume() {
      reading = true;
      for (const s of sockets) s.resume();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Filled {
  /** Calls that were accepted (written, or waiting in the socket's buffer). */
  readonly admitted: Promise<string>[];
  /** The first call that was refused. */
  readonly refusal: unknown;
  /** How long the refused call took to fail, ms. */
  readonly refusedInMs: number;
  /** The largest `bufferedBytes` seen after a turn's requests were handed to the socket. */
  readonly maxBuffered: number;
}

/**
 * Makes padded calls, a few per turn, until one fails; fails the test if none has after 64 MiB of requests. Each
 * call's outcome is looked at one turn after it was made: a call still pending then was accepted.
 */
async function fillUntilRefused(proxy: ObjectProxy, timeout?: number): Promise<Filled> {
  const admitted: Promise<string>[] = [];
  let maxBuffered = 0;
  for (let i = 0; i < 1024; i++) {
    const made = Array.from({ length: 4 }, () => {
      const started = performance.now();
      const outcome: { err?: unknown; ms?: number } = {};
      const call = padded(proxy, timeout);
      call.catch((err: unknown) => {
        outcome.err ??= err;
        outcome.ms ??= performance.now() - started;
      });
      return { call, outcome };
    });
    await turn();
    maxBuffered = Math.max(maxBuffered, proxy._pool.bufferedBytes);
    for (const { call, outcome } of made) {
      if (outcome.err !== undefined)
        return { admitted, refusal: outcome.err, refusedInMs: outcome.ms ?? 0, maxBuffered };
      admitted.push(call);
    }
  }
  assert.fail(`no call was refused after ${admitted.length} calls of 16 KiB (maxBufferedBytes ${MAX})`);
}

describe('ObjectProxy write buffer bound (maxBufferedBytes)', () => {
  test('a peer that does not read: calls past the bound fail at once with -9, the buffer stays bounded, calls flow once it reads', async () => {
    const stalled = await startStalledServer();
    const proxy = new ObjectProxy(`${PROBE}@${stalled.endpoint}`, { maxBufferedBytes: MAX, timeout: 30_000 });
    await within(oneway(proxy), 5000, 'the connection opening');

    const filled = await within(fillUntilRefused(proxy), 20_000, 'a call refused at the bound');
    assert.ok(isCode(filled.refusal, TarsRet.Overload));
    assert.match((filled.refusal as Error).message, /maxBufferedBytes 262144/);
    assert.ok(filled.refusedInMs < 1000, `refused after ${filled.refusedInMs} ms`);
    assert.ok(filled.maxBuffered <= MAX, `${filled.maxBuffered} bytes waited to be written`);
    const buffered = proxy._pool.bufferedBytes;
    assert.ok(buffered > MAX - 2 * (PAD.length + 200), `refused with only ${buffered} bytes waiting`);
    assert.ok(filled.admitted.length > 0);

    // Until the socket drains, every call fails, small ones too, and adds nothing to the buffer.
    for (let i = 0; i < 10; i++) {
      await assert.rejects(padded(proxy), (e) => isCode(e, TarsRet.Overload));
      await assert.rejects(small(proxy), (e) => isCode(e, TarsRet.Overload));
      await assert.rejects(oneway(proxy), (e) => isCode(e, TarsRet.Overload));
    }
    await turn();
    assert.equal(proxy._pool.bufferedBytes, buffered);

    // The accepted calls were neither dropped nor failed: once the peer reads, every one is answered.
    let settled = 0;
    for (const c of filled.admitted)
      c.then(
        () => settled++,
        () => settled++,
      );
    await turn();
    assert.equal(settled, 0);
    stalled.resume();
    const answers = await within(
      Promise.all(filled.admitted),
      20_000,
      () => `${settled} of ${filled.admitted.length} replies`,
    );
    assert.ok(answers.every((a) => a === 'ok'));
    // Exactly the accepted requests reached the peer (1 is the one-way call that opened the connection).
    assert.equal(stalled.received.length, filled.admitted.length + 1);
    assert.equal(new Set(stalled.received).size, stalled.received.length);

    assert.equal(proxy._pool.bufferedBytes, 0);
    assert.equal(await within(padded(proxy), 5000, 'a padded call after the drain'), 'ok');
    assert.equal(await within(small(proxy), 5000, 'a small call after the drain'), 'ok');
    proxy.destroy();
    await stalled.close();
  });

  test('calls written before the bound still time out with -7 while the peer does not read', async () => {
    const stalled = await startStalledServer();
    const proxy = new ObjectProxy(`${PROBE}@${stalled.endpoint}`, {
      maxBufferedBytes: MAX,
      // Timeouts would isolate the only endpoint; this test is about the calls, not the endpoint's health.
      isolateAfter: Infinity,
      isolateMinCalls: Infinity,
    });
    await within(oneway(proxy), 5000, 'the connection opening');
    const filled = await within(fillUntilRefused(proxy, 2000), 20_000, 'a call refused at the bound');
    assert.ok(isCode(filled.refusal, TarsRet.Overload));
    const outcomes = await within(
      Promise.allSettled(filled.admitted),
      10_000,
      'the accepted calls timing out',
    );
    // Each accepted call gets its -7, none a -9.
    for (const o of outcomes) {
      assert.equal(o.status, 'rejected');
      assert.ok(isCode(o.reason, TarsRet.InvokeTimeout));
    }
    // Requests handed to the socket cannot be taken back: the buffer is still full, so calls are still refused.
    await assert.rejects(small(proxy), (e) => isCode(e, TarsRet.Overload));
    proxy.destroy();
    await stalled.close();
  });

  test('a burst in one turn past the bound: its head is answered, its tail fails with -9, the next turn flows', async () => {
    const probe = await startProbeServer('B');
    const proxy = new ObjectProxy(probe.address, { maxBufferedBytes: MAX });
    await within(small(proxy), 5000, 'the first call');
    const burst = await within(
      Promise.allSettled(Array.from({ length: 64 }, () => padded(proxy))),
      10_000,
      'the burst settling',
    );
    const ok = burst.findIndex((o) => o.status === 'rejected');
    assert.ok(ok > 0 && ok * PAD.length <= MAX, `${ok} of 64 calls of 16 KiB accepted in one turn`);
    burst.forEach((o, i) => {
      if (i < ok) assert.equal(o.status, 'fulfilled');
      else assert.ok(o.status === 'rejected' && isCode(o.reason, TarsRet.Overload), `call ${i}`);
    });
    const again = await within(
      Promise.all(Array.from({ length: ok }, () => padded(proxy))),
      10_000,
      'the next burst',
    );
    assert.ok(again.every((a) => a.startsWith('B:')));
    await proxy.close();
    await probe.server.close();
  });

  test('a request larger than the bound is sent when nothing waits; a second one in the same turn is refused', async () => {
    const probe = await startProbeServer('L');
    const proxy = new ObjectProxy(probe.address, { maxBufferedBytes: 1024 });
    await within(small(proxy), 5000, 'the first call');
    const [first, second] = await within(
      Promise.allSettled([padded(proxy), padded(proxy)]),
      10_000,
      'both calls settling',
    );
    assert.ok(first?.status === 'fulfilled' && first.value.startsWith('L:'));
    assert.ok(second?.status === 'rejected' && isCode(second.reason, TarsRet.Overload));
    assert.match(await within(padded(proxy), 5000, 'a call after the drain'), /^L:/);
    await proxy.close();
    await probe.server.close();
  });

  test('a maxBufferedBytes that is not an integer >= 1024 is refused with its name', () => {
    for (const bad of [0, 1023, 4096.5, Number.NaN, Infinity, -1]) {
      assert.throws(
        () => new ObjectProxy(`${PROBE}@tcp -h 127.0.0.1 -p 1`, { maxBufferedBytes: bad }),
        /maxBufferedBytes must be an integer >= 1024/,
      );
    }
  });
});

/** Outcomes of calls that are made in one test and looked at later. */
interface Tracked {
  readonly calls: Promise<string>[];
  /** Each failure, with how many connections of the pool were refusing when it came. */
  readonly failures: { err: unknown; refusing: number }[];
}

/**
 * Makes padded calls, 4 per turn, until `refusing` connections of the pool refuse calls (over their bound); fails the
 * test if that has not happened after 256 MiB of requests. Failures are recorded, not thrown.
 */
async function fillUntilRefusing(proxy: ObjectProxy, refusing: number): Promise<Tracked> {
  const tracked: Tracked = { calls: [], failures: [] };
  for (let i = 0; i < 4096 && proxy._pool.refusingConnections < refusing; i++) {
    for (let k = 0; k < 4; k++) {
      const call = padded(proxy);
      call.catch((err: unknown) => {
        tracked.failures.push({ err, refusing: proxy._pool.refusingConnections });
      });
      tracked.calls.push(call);
    }
    await turn();
  }
  assert.equal(
    proxy._pool.refusingConnections,
    refusing,
    `${tracked.calls.length} calls of 16 KiB did not fill ${refusing} connection(s) (maxBufferedBytes ${MAX})`,
  );
  return tracked;
}

/** `n` small calls one after the other, the results in order. */
async function sequential(proxy: ObjectProxy, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await small(proxy));
  return out;
}

describe('ObjectProxy endpoint selection past the write bound', () => {
  test('a stalled endpoint over its bound is passed over: every call goes to the healthy one, none fails with -9; it takes its share again once drained', async () => {
    const stalled = await startStalledServer();
    const healthy = await startProbeServer('H');
    const proxy = new ObjectProxy(`${PROBE}@${stalled.endpoint}:${healthy.server.endpoint}`, {
      maxBufferedBytes: MAX,
      timeout: 30_000,
    });
    // One one-way call per endpoint opens both connections (round robin, lazily connected).
    await within(oneway(proxy), 5000, 'the first connection opening');
    await within(oneway(proxy), 5000, 'the second connection opening');
    assert.equal(proxy._pool.openConnections, 2);

    const filled = await within(
      fillUntilRefusing(proxy, 1),
      60_000,
      'the stalled connection hitting its bound',
    );
    assert.deepEqual(filled.failures, []);
    assert.ok(filled.calls.length > 0);

    // While it refuses, every call of any kind goes to the healthy endpoint and succeeds (bursts of 8 calls of
    // 16 KiB a turn: within the healthy connection's own bound).
    const bursts: Promise<string>[] = [];
    for (let i = 0; i < 8; i++) {
      bursts.push(...Array.from({ length: 8 }, () => padded(proxy)));
      await turn();
    }
    const burst = await within(
      Promise.allSettled(bursts),
      10_000,
      'bursts while the stalled connection refuses',
    );
    for (const [i, o] of burst.entries()) {
      assert.ok(
        o.status === 'fulfilled',
        `burst call ${i}: ${o.status === 'rejected' ? String(o.reason) : ''}`,
      );
      assert.match(o.value, /^H:/);
    }
    const one = await within(sequential(proxy, 20), 10_000, '20 small calls');
    assert.ok(
      one.every((r) => r.startsWith('H:')),
      one.join(' '),
    );
    await within(oneway(proxy), 5000, 'a one-way call');
    assert.deepEqual(filled.failures, []);
    assert.equal(proxy._pool.refusingConnections, 1);
    assert.equal(stalled.received.length, 0);

    // Once the stalled peer reads, the calls it accepted are answered and nothing else reached it: a refused request
    // went to the healthy endpoint instead, not to both.
    stalled.resume();
    const answers = await within(Promise.all(filled.calls), 30_000, 'the filling calls answered');
    const toStalled = answers.filter((a) => a === 'ok').length;
    assert.ok(
      toStalled > 0 && toStalled < answers.length,
      `${toStalled} of ${answers.length} to the stalled peer`,
    );
    assert.ok(answers.every((a) => a === 'ok' || a.startsWith('H:')));
    assert.equal(stalled.received.length, toStalled + 1); // + the one-way call that opened its connection
    assert.equal(proxy._pool.refusingConnections, 0);

    // Drained, it is back in the rotation: calls alternate again.
    const after = await within(sequential(proxy, 20), 10_000, '20 small calls after the drain');
    assert.equal(after.filter((r) => r === 'ok').length, 10, after.join(' '));
    assert.equal(after.filter((r) => r.startsWith('H:')).length, 10, after.join(' '));
    await proxy.close();
    await stalled.close();
    await healthy.server.close();
  });

  test('every endpoint stalled over its bound: calls fail at once with -9, and only then', async () => {
    const a = await startStalledServer();
    const b = await startStalledServer();
    const proxy = new ObjectProxy(`${PROBE}@${a.endpoint}:${b.endpoint}`, {
      maxBufferedBytes: MAX,
      timeout: 30_000,
    });
    await within(oneway(proxy), 5000, 'the first connection opening');
    await within(oneway(proxy), 5000, 'the second connection opening');
    assert.equal(proxy._pool.openConnections, 2);

    const filled = await within(fillUntilRefusing(proxy, 2), 60_000, 'both connections hitting their bound');
    await turn();
    // A call refused by one connection went to the other; a -9 came only once both were refusing.
    for (const f of filled.failures) {
      assert.ok(isCode(f.err, TarsRet.Overload));
      assert.equal(f.refusing, 2);
    }
    const buffered = proxy._pool.bufferedBytes;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await assert.rejects(padded(proxy), (e) => isCode(e, TarsRet.Overload));
      await assert.rejects(small(proxy), (e) => isCode(e, TarsRet.Overload));
      await assert.rejects(oneway(proxy), (e) => isCode(e, TarsRet.Overload));
      const ms = performance.now() - started;
      assert.ok(ms < 1000, `three refusals took ${ms} ms`);
    }
    await turn();
    assert.equal(proxy._pool.bufferedBytes, buffered);
    assert.equal(a.received.length + b.received.length, 0);

    proxy.destroy();
    await Promise.allSettled(filled.calls);
    await a.close();
    await b.close();
  });

  test('an endpoint that arrives while the only one refuses is connected and takes the call, although round robin points at the refusing one', async () => {
    const stalled = await startStalledServer();
    const healthy = await startProbeServer('N');
    let update: ((endpoints: readonly Endpoint[]) => void) | undefined;
    const source: EndpointSource = {
      watch(_name, u) {
        update = u;
        u([parseEndpoint(stalled.endpoint)]);
        return () => undefined;
      },
    };
    const proxy = new ObjectProxy(PROBE, { endpointSource: source, maxBufferedBytes: MAX, timeout: 30_000 });
    await within(oneway(proxy), 5000, 'the connection opening');
    const filled = await within(fillUntilRefused(proxy), 20_000, 'a call refused at the bound');
    assert.ok(isCode(filled.refusal, TarsRet.Overload));
    // The stalled endpoint keeps its connection and comes second, where round robin (one past the only slot) points.
    update?.([parseEndpoint(healthy.server.endpoint), parseEndpoint(stalled.endpoint)]);
    assert.equal(proxy._pool.refusingConnections, 1);
    const calls = await within(sequential(proxy, 10), 10_000, '10 small calls');
    assert.ok(
      calls.every((r) => r.startsWith('N:')),
      calls.join(' '),
    );
    assert.equal(proxy._pool.openConnections, 2);
    proxy.destroy();
    await Promise.allSettled(filled.admitted);
    await stalled.close();
    await healthy.server.close();
  });

  test('with one of three endpoints refusing, round robin alternates over the other two', async () => {
    const stalled = await startStalledServer();
    const b = await startProbeServer('B');
    const c = await startProbeServer('C');
    const proxy = new ObjectProxy(`${PROBE}@${stalled.endpoint}:${b.server.endpoint}:${c.server.endpoint}`, {
      maxBufferedBytes: MAX,
      timeout: 30_000,
    });
    for (let i = 0; i < 3; i++) await within(oneway(proxy), 5000, `connection ${i + 1} opening`);
    assert.equal(proxy._pool.openConnections, 3);
    const filled = await within(
      fillUntilRefusing(proxy, 1),
      60_000,
      'the stalled connection hitting its bound',
    );
    assert.deepEqual(filled.failures, []);

    const tags = (await within(sequential(proxy, 20), 10_000, '20 small calls')).map((r) => r.slice(0, 1));
    assert.equal(tags.filter((t) => t === 'B').length, 10, tags.join(''));
    assert.equal(tags.filter((t) => t === 'C').length, 10, tags.join(''));
    for (let i = 1; i < tags.length; i++) assert.notEqual(tags[i], tags[i - 1], tags.join(''));

    proxy.destroy();
    await Promise.allSettled(filled.calls);
    await stalled.close();
    await b.server.close();
    await c.server.close();
  });
});
