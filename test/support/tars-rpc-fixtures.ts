/**
 * Fixtures of the Tars RPC tests: a test servant on our TarsServer, raw TCP peers that speak (or garble) the
 * packet format by hand, and small helpers. Everything listens on 127.0.0.1 port 0.
 */
import net from 'node:net';
import type { ServantCallContext, ServantOperation } from '../../src/tars/contract.js';
import { TarsValues as V } from '../../src/tars/codec/values.js';
import { FrameDecoder } from '../../src/tars/packet/frame-decoder.js';
import {
  decodeRequestPacket,
  encodeRequestPacket,
  type RequestPacket,
} from '../../src/tars/packet/request-packet.js';
import {
  createResponsePacket,
  encodeResponsePacket,
  type ResponsePacket,
} from '../../src/tars/packet/response-packet.js';
import { createArgWriter } from '../../src/tars/packet/args.js';
import { TarsRpcError } from '../../src/tars/rpc/errors.js';
import { TarsServer } from '../../src/tars/rpc/tars-server.js';
import { within } from './deadline.js';

export const PROBE = 'Test.RpcServer.ProbeObj';

/** A servant that reports what it saw, and can be held to test timeouts and graceful close. */
export interface Probe {
  /** Returns `tag:requestId:remotePort:ctx` so tests see ids, connections and context. */
  who(ctx: ServantCallContext): Promise<string>;
  /** Resolves when `release()` is called. */
  hold(): Promise<number>;
  boom(kind: number): Promise<void>;
}

export class ProbeImpl implements Probe {
  #held: (() => void)[] = [];
  heldCount = 0;
  constructor(readonly tag: string) {}
  async who(ctx: ServantCallContext): Promise<string> {
    const context = [...ctx.context].map(([k, v]) => `${k}=${v}`).join(',');
    return `${this.tag}:${ctx.requestId}:${ctx.remotePort}:${context}`;
  }
  hold(): Promise<number> {
    this.heldCount++;
    return new Promise((resolve) => this.#held.push(() => resolve(7)));
  }
  /** Lets every held call return. */
  release(): void {
    for (const r of this.#held.splice(0)) r();
  }
  async boom(kind: number): Promise<void> {
    if (kind === 1) throw new TarsRpcError(-42, 'typed failure');
    throw new Error('plain failure');
  }
}

export const probeOperations: Record<string, ServantOperation<Probe>> = {
  async who(impl, _a, res, ctx) {
    res.write(0, '', await impl.who(ctx), V.string.write);
  },
  async hold(impl, _a, res) {
    res.write(0, '', await impl.hold(), V.int32.write);
  },
  async boom(impl, a, _res) {
    await impl.boom(a.read(1, 'kind', V.int32.read));
  },
};

/** Our server hosting a ProbeImpl tagged `tag`. */
export async function startProbeServer(
  tag = 'A',
  maxPacketLength?: number,
): Promise<{ server: TarsServer; impl: ProbeImpl; address: string }> {
  const impl = new ProbeImpl(tag);
  const server = new TarsServer({ port: 0, maxPacketLength });
  server.addServant(PROBE, impl, probeOperations);
  await server.listen();
  return { server, impl, address: `${PROBE}@${server.endpoint}` };
}

/** A raw TCP peer: decodes each request and lets the test answer with whatever bytes it likes. */
export interface RawServer {
  readonly port: number;
  readonly endpoint: string;
  readonly requests: RequestPacket[];
  close(): Promise<void>;
}

export async function startRawServer(
  answer: (req: RequestPacket, socket: net.Socket) => void,
): Promise<RawServer> {
  const requests: RequestPacket[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const frames = new FrameDecoder();
    socket.on('data', (chunk) => {
      for (const body of frames.push(chunk)) {
        const req = decodeRequestPacket(body);
        requests.push(req);
        answer(req, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `tcp -h 127.0.0.1 -p ${port} -t 60000`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A framed TARS ResponsePacket answering `req`. */
export function responseTo(req: RequestPacket, fields: Partial<ResponsePacket> = {}): Uint8Array {
  return encodeResponsePacket(createResponsePacket({ iVersion: 1, iRequestId: req.iRequestId, ...fields }));
}

/** A v1 result buffer holding `ret` (string) at tag 0. */
export function stringResult(ret: string): Uint8Array {
  const w = createArgWriter(1);
  w.write(0, '', ret, V.string.write);
  return w.toBytes();
}

/** A port nobody listens on (bound, then released). */
export { freePort } from './free-port.js';

/** A framed TARS request to the probe servant (`who`, id 1 unless `p` says otherwise). */
export function requestFrame(p: Partial<RequestPacket> = {}): Buffer {
  return Buffer.from(
    encodeRequestPacket({
      iVersion: 1,
      cPacketType: 0,
      iMessageType: 0,
      iRequestId: 1,
      sServantName: PROBE,
      sFuncName: 'who',
      sBuffer: new Uint8Array(0),
      iTimeout: 3000,
      context: new Map(),
      status: new Map(),
      ...p,
    }),
  );
}

/** A raw client connection to a Tars server: sends requests (or bytes) and collects reply frames. */
export class RawClient {
  readonly socket: net.Socket;
  readonly frames: Uint8Array[] = [];
  readonly closed: Promise<void>;
  #waiters: (() => void)[] = [];
  #decoder = new FrameDecoder();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      this.frames.push(...this.#decoder.push(chunk));
      for (const w of this.#waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  send(p: Partial<RequestPacket>): void {
    this.socket.write(requestFrame(p));
  }

  /** Resolves with the n-th reply frame (1-based) once it has arrived; fails after `withinMs` (default 5 s). */
  async frame(n: number, withinMs = 5000): Promise<Uint8Array> {
    const arrived = (async (): Promise<void> => {
      while (this.frames.length < n) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    })();
    await within(arrived, withinMs, () => `reply frame ${n} (${this.frames.length} arrived)`);
    return this.frames[n - 1] as Uint8Array;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
