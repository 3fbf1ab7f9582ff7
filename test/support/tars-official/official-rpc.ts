/**
 * Typed access to @tars/rpc 2.0.15 (CommonJS, untyped) as an interop peer: its server hosting the hand-written
 * tars2node servant (Interop.cjs + InteropImp.cjs) and its client driving the hand-written proxy
 * (InteropProxy.cjs). Only plain data crosses this boundary; nothing untyped leaks into the tests.
 */
import { createRequire } from 'node:module';
import type net from 'node:net';

const require = createRequire(import.meta.url);

/** A struct value of the reference generator: plain data out through `toObject`, in through `readFromObject`. */
interface RefStruct {
  toObject(): unknown;
  readFromObject(json: unknown): RefStruct;
}
type RefStructClass = new () => RefStruct;
interface RefList {
  push(v: unknown): void;
}
interface RefMap {
  insert(key: string, v: unknown): void;
}
interface StreamModule {
  List(proto: unknown): RefList;
  Map(k: unknown, v: unknown): RefMap;
  String: unknown;
}
interface RpcResult {
  response: { return: unknown; arguments?: Record<string, unknown> };
}
interface RefEchoProxy {
  setVersion(v: number): void;
  setTimeout(ms: number): void;
  hello(no: number, name: string, prop?: unknown): Promise<RpcResult>;
  echoItem(req: RefStruct, prop?: unknown): Promise<RpcResult>;
  pack(items: RefList, attrs: RefMap, prop?: unknown): Promise<RpcResult>;
  fail(code: number, message: string, prop?: unknown): Promise<RpcResult>;
  next(c: number, prop?: unknown): Promise<RpcResult>;
}
interface Communicator {
  stringToProxy(proxy: unknown, objName: string): RefEchoProxy;
  destroy(): void;
}
interface BindAdapterOption {
  endpoint: string;
  name: string;
  servant: string;
  handleImp: unknown;
}
interface HeroServer {
  start(option: BindAdapterOption): void;
  stop(): void;
  _adapters: { _netthread: { _listener: net.Server } }[];
}
interface RpcModule {
  Communicator: { New(): Communicator };
  server: { createServer(): HeroServer; BindAdapterOption: new () => BindAdapterOption };
}

// @tars/rpc must be loaded before the generated files, which require it back (a circular require otherwise).
const Rpc = require('@tars/rpc') as RpcModule;
const Stream = require('@tars/stream') as StreamModule;
const Gen = (require('./generated/InteropImp.cjs') as { Interop: Record<string, unknown> }).Interop;
const ProxyGen = (require('./generated/InteropProxy.cjs') as { Interop: Record<string, unknown> }).Interop;
const ItemClass = Gen.Item as RefStructClass;

/** Plain shapes of Interop.tars values as the reference package sees them (long is a JS number there). */
export interface PlainItem {
  id: number;
  name: string;
  color: number;
  tags: string[];
  scores: Record<string, number>;
  big: number;
  flag: boolean;
  ratio: number;
}
export interface PlainBag {
  items: PlainItem[];
  byId: Record<string, PlainItem>;
  blob: Buffer;
}

/** A failed call of the reference client: `code` is the iRet it reported. */
export class OfficialCallError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'OfficialCallError';
    this.code = code;
  }
}

/** The reference client for `Interop.Echo`. */
export interface OfficialEchoClient {
  hello(no: number, name: string): Promise<string>;
  echoItem(req: Partial<PlainItem>): Promise<{ ret: number; rsp: PlainItem }>;
  pack(
    items: Partial<PlainItem>[],
    attrs: Record<string, string>,
  ): Promise<{ ret: number; bag: PlainBag; count: number }>;
  fail(code: number, message: string): Promise<void>;
  next(c: number): Promise<number>;
  /** Closes the communicator (all its connections). */
  destroy(): void;
}

function unwrap<T>(p: Promise<RpcResult>, map: (r: RpcResult) => T): Promise<T> {
  return p.then(map, (e: unknown) => {
    const err = (e as { response?: { error?: { code?: number; message?: string } } }).response?.error;
    throw new OfficialCallError(err?.code ?? -99, err?.message ?? String(e));
  });
}

function item(v: Partial<PlainItem>): RefStruct {
  return new ItemClass().readFromObject(v);
}

/**
 * An @tars/rpc client proxy to `address` (`App.Server.Obj@tcp -h ... -p ...`), TARS (1), TUP complex (2, type
 * names checked on read) or TUP simple (3).
 */
export function officialEchoClient(
  address: string,
  version: 1 | 2 | 3,
  timeoutMs = 3000,
): OfficialEchoClient {
  const comm = Rpc.Communicator.New();
  const prx = comm.stringToProxy(ProxyGen.EchoProxy, address);
  prx.setVersion(version);
  prx.setTimeout(timeoutMs);
  return {
    hello: (no, name) => unwrap(prx.hello(no, name), (r) => r.response.return as string),
    echoItem: (req) =>
      unwrap(prx.echoItem(item(req)), (r) => ({
        ret: r.response.return as number,
        rsp: (r.response.arguments?.rsp as RefStruct).toObject() as PlainItem,
      })),
    pack: (items, attrs) => {
      const list = Stream.List(ItemClass);
      for (const i of items) list.push(item(i));
      const map = Stream.Map(Stream.String, Stream.String);
      for (const [k, v] of Object.entries(attrs)) map.insert(k, v);
      return unwrap(prx.pack(list, map), (r) => ({
        ret: r.response.return as number,
        bag: (r.response.arguments?.bag as RefStruct).toObject() as PlainBag,
        count: r.response.arguments?.count as number,
      }));
    },
    fail: (code, message) => unwrap(prx.fail(code, message), () => undefined),
    next: (c) => unwrap(prx.next(c), (r) => r.response.return as number),
    destroy: () => comm.destroy(),
  };
}

/** A running @tars/rpc server hosting `Interop.Echo` (InteropImp.cjs). */
export interface OfficialServer {
  readonly port: number;
  /** `tcp -h 127.0.0.1 -p PORT -t 60000`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts an @tars/rpc server for `servant` on an ephemeral loopback port. */
export function startOfficialEchoServer(servant: string): Promise<OfficialServer> {
  return startOfficialServer(servant, Gen.EchoImp);
}

const Registry = require('./generated/RegistryImp.cjs') as {
  createRegistryImp(table: Record<string, { host: string; port: number }[]>, asked: string[]): unknown;
};

/**
 * Starts an @tars/rpc registry (`QueryF`, as generated for @tars/rpc's own tests) whose `findObjectById` answers
 * from `table`; every id asked for is appended to `asked`.
 */
export function startOfficialRegistry(
  servant: string,
  table: Record<string, { host: string; port: number }[]>,
  asked: string[],
): Promise<OfficialServer> {
  return startOfficialServer(servant, Registry.createRegistryImp(table, asked));
}

/** Starts an @tars/rpc server hosting `handleImp` as `servant` on an ephemeral loopback port. */
export async function startOfficialServer(servant: string, handleImp: unknown): Promise<OfficialServer> {
  const svr = Rpc.server.createServer();
  const opt = new Rpc.server.BindAdapterOption();
  opt.endpoint = 'tcp -h 127.0.0.1 -p 0 -t 60000';
  opt.name = `${servant}Adapter`;
  opt.servant = servant;
  opt.handleImp = handleImp;
  svr.start(opt);
  const listener = svr._adapters[0]?._netthread._listener;
  if (listener === undefined) throw new Error('@tars/rpc server did not create a listener');
  if (!listener.listening) await new Promise<void>((resolve) => listener.once('listening', () => resolve()));
  const addr = listener.address();
  if (addr === null || typeof addr !== 'object') throw new Error('@tars/rpc server has no address');
  return {
    port: addr.port,
    endpoint: `tcp -h 127.0.0.1 -p ${addr.port} -t 60000`,
    stop: () =>
      new Promise<void>((resolve) => {
        listener.once('close', () => resolve());
        svr.stop();
      }),
  };
}
