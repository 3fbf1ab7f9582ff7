/**
 * Bounded, seeded fuzzing of the RPC layer on real sockets: random and mutated bytes sent to our server must never
 * crash it nor stop it from serving good clients; random and mutated replies fed to our client must fail calls with
 * TarsRpcError only. Seed with TARS_FUZZ_SEED to replay a run.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TarsValues as V } from '../../src/tars/codec/values.js';
import { encodeRequestPacket, createRequestPacket } from '../../src/tars/packet/request-packet.js';
import { TarsRpcError } from '../../src/tars/rpc/errors.js';
import { ObjectProxy } from '../../src/tars/rpc/object-proxy.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import {
  PROBE,
  ProbeImpl,
  probeOperations,
  responseTo,
  startRawServer,
  stringResult,
} from '../support/tars-rpc-fixtures.js';
import { prng as rng } from '../support/prng.js';

const SEED = Number(process.env.TARS_FUZZ_SEED ?? 0x7a125);

function mutate(rand: () => number, src: Uint8Array): Buffer {
  const buf = Buffer.from(src);
  const kind = Math.floor(rand() * 5);
  if (kind === 0) return randomBytes(rand, 1 + Math.floor(rand() * 64));
  if (kind === 1) return buf.subarray(0, Math.floor(rand() * buf.length)); // truncated
  if (kind === 2) {
    // a lying length prefix
    buf.writeUInt32BE(Math.floor(rand() * 2 ** 32), 0);
    return buf;
  }
  const flips = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < flips; i++) {
    const at = 4 + Math.floor(rand() * (buf.length - 4)); // keep the frame length, garble the packet
    buf[at] = Math.floor(rand() * 256);
  }
  return buf;
}

function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function validRequest(id: number): Uint8Array {
  return encodeRequestPacket(
    createRequestPacket({
      iRequestId: id,
      sServantName: PROBE,
      sFuncName: 'who',
      context: new Map([['k', 'v']]),
    }),
  );
}

describe(`Tars RPC fuzz (seed ${SEED})`, () => {
  let server: TarsServer;
  let port: number;
  before(async () => {
    server = new TarsServer({ port: 0, maxPacketLength: 64 * 1024 });
    // No `hold` operation: a mutated name must not park a call forever.
    const { who, boom } = probeOperations;
    server.addServant(PROBE, new ProbeImpl('F'), { who: who!, boom: boom! });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server.close();
  });

  test('the server survives random and mutated requests and keeps serving good clients', async () => {
    const rand = rng(SEED);
    const good = new ObjectProxy(`${PROBE}@${server.endpoint}`);
    for (let round = 0; round < 300; round++) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const burst = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < burst; i++) socket.write(mutate(rand, validRequest(round * 10 + i)));
      socket.end();
      await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (round % 50 === 49) {
        assert.match(
          await good.invoke(
            'who',
            () => undefined,
            (r) => r.read(0, '', V.string.read),
          ),
          /^F:/,
        );
      }
    }
    await good.close();
  });

  test('random and mutated replies fail client calls with TarsRpcError only', async () => {
    const rand = rng(SEED ^ 0x5eed);
    const raw = await startRawServer((req, socket) => {
      const reply = responseTo(req, { sBuffer: stringResult('ok') });
      socket.write(rand() < 0.2 ? reply : mutate(rand, reply));
    });
    const proxy = new ObjectProxy(`${PROBE}@${raw.endpoint}`, {
      timeout: 150,
      backoffBase: 1,
      isolateAfter: Infinity,
      isolateMinCalls: Infinity, // keep calling the broken peer: every reply is a case
    });
    let ok = 0;
    const codes = new Map<number, number>();
    try {
      // One call at a time: a garbled reply closes the connection and fails every call sharing it.
      for (let i = 0; i < 150; i++) {
        try {
          await proxy.invoke(
            'who',
            () => undefined,
            (r) => r.read(0, '', V.string.read),
          );
          ok++;
        } catch (err) {
          assert.ok(err instanceof TarsRpcError, `not a TarsRpcError: ${String(err)}`);
          codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
        }
      }
    } finally {
      proxy.destroy();
      await raw.close();
    }
    assert.ok(ok > 0, 'some replies survive mutation');
    assert.ok(codes.size > 0, 'some replies fail');
    // A flipped iRet byte is a legitimate (if odd) server code, so any non-zero code is fine; 0 never is.
    assert.ok(!codes.has(0));
  });
});
