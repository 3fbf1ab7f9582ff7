/**
 * The client side of one servant: implements the `Invoker` that generated proxies call. It encodes the arguments
 * (TARS or TUP), picks an endpoint, multiplexes the call on that endpoint's connection, and turns the reply or its
 * absence into a result or a {@link TarsRpcError}.
 */
import pino, { type Logger } from 'pino';
import type { ArgReader, ArgWriter, CallOptions, Invoker } from '../contract.js';
import type { Endpoint, ObjectAddress } from './endpoint.js';
import { parseObjectAddress } from './endpoint.js';
import { resolveHealthPolicy } from './endpoint-health.js';
import { EndpointPool, type EndpointSlot } from './endpoint-pool.js';
import { TarsRet, TarsRpcError, toRpcError } from './errors.js';
import type { ClientConnection, PendingCall } from './client-connection.js';
import {
  defaultsArgReader,
  encodeRequest,
  newArgReader,
  encodeArgs,
  PacketType,
  TarsVersion,
  type Reply,
} from './packets.js';

/** Where a proxy's endpoints come from when the address has none: the registry (see `RegistryResolver`). */
export interface EndpointSource {
  /** Starts delivering endpoint lists to `update` (at once if known). Returns a function that stops it. */
  watch(name: string, update: (endpoints: readonly Endpoint[]) => void): () => void;
}

/**
 * Told about every finished call (statistics): the servant, function, endpoint used (`''`/0 when none was reached),
 * the iRet (0 on success), the time since `invoke` and whether it timed out. Runs on the call path: count only.
 */
export type CallObserver = (
  servant: string,
  func: string,
  host: string,
  port: number,
  ret: number,
  elapsedMs: number,
  timedOut: boolean,
) => void;

let defaultObserver: CallObserver | undefined;

/** The observer set by {@link setDefaultCallObserver}, if any (to compose another with it). */
export function getDefaultCallObserver(): CallObserver | undefined {
  return defaultObserver;
}

/**
 * Sets the observer of every proxy created without an `observer` option, in this process (the statistics reporter
 * uses it so that every Tars call an application makes is counted without changing its code). `undefined` clears it.
 */
export function setDefaultCallObserver(observer: CallObserver | undefined): void {
  defaultObserver = observer;
}

/** Options of an {@link ObjectProxy}. */
export interface ObjectProxyOptions {
  /** Default call timeout, ms. Default 3000. */
  timeout?: number;
  /** Packet version: 1 TARS (default), 2 TUP complex (UniAttribute with type names) or 3 TUP simple. */
  version?: 1 | 2 | 3;
  /** Connect timeout, ms. Default 3000. */
  connectTimeout?: number;
  /**
   * Consecutive failed calls (timeouts, lost connections; not connect failures) that isolate an endpoint.
   * Default 5.
   */
  isolateAfter?: number;
  /** Window in which an endpoint's calls and failures are counted for the failure ratio, ms. Default 60000. */
  isolateWindow?: number;
  /** Calls a window needs before its failure ratio counts. Default 10. */
  isolateMinCalls?: number;
  /** Share of failed calls in a window that isolates the endpoint, in (0, 1]. Default 0.5. */
  isolateRatio?: number;
  /** Time from an isolation to the first probe call, ms; doubles per failed probe. Default 3000. */
  isolateFor?: number;
  /** Longest time between probes of an isolated endpoint, ms. Default 30000. */
  isolateForMax?: number;
  /**
   * First reconnect delay after a failed connect, doubling per consecutive failure, ms. A failed connect never
   * isolates an endpoint: it only delays the next connect. Default 100.
   */
  backoffBase?: number;
  /** Longest reconnect delay, ms: a service started while down answers within about this. Default 2000. */
  backoffMax?: number;
  /** Largest reply accepted, bytes (a larger length prefix closes the connection). Default 10 MiB. */
  maxPacketLength?: number;
  /**
   * Most bytes of requests waiting to be written on one endpoint's connection, an integer >= 1024. When a peer
   * stops reading, a call that would pass it fails at once with -9 (`TarsRet.Overload`, nothing sent, nothing
   * queued), and so does every call after it until the connection drains; calls already written still get their
   * reply or time out. With several endpoints such a call goes to the next one that can take it instead, and round
   * robin passes over the refusing connection until it drains: -9 only when every endpoint that could take the
   * call now is refusing. A single request is always accepted when nothing is waiting. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Required for an address without `@endpoints`. */
  endpointSource?: EndpointSource;
  /** Default: silent. */
  logger?: Logger;
  /** First request id on each connection (tests). Default 1. */
  firstRequestId?: number;
  /** Clock for backoff and isolation (tests). Default Date.now. */
  now?: () => number;
  /** Told about every finished call; `null`: none. Default: the one of {@link setDefaultCallObserver}, if any. */
  observer?: CallObserver | null;
}

const DEFAULTS = {
  timeout: 3000,
  connectTimeout: 3000,
  maxPacketLength: 10 * 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
};

/**
 * A client for one servant.
 *
 * @example
 * const proxy = new ObjectProxy('TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p 18600 -t 3000');
 * const hello = new HelloProxy(proxy);  // generated by tars2ts
 * const { ret } = await hello.hello(1, 'ann');
 * await proxy.close();
 */
export class ObjectProxy implements Invoker {
  /** `App.Server.Obj`. */
  readonly name: string;
  readonly #pool: EndpointPool;
  readonly #version: number;
  readonly #timeout: number;
  #stopWatch: (() => void) | undefined;
  #closed = false;
  readonly #now: () => number;
  readonly #observer: CallObserver | null | undefined;

  constructor(address: string | ObjectAddress, options: ObjectProxyOptions = {}) {
    const addr = typeof address === 'string' ? parseObjectAddress(address) : address;
    this.name = addr.name;
    this.#now = options.now ?? Date.now;
    this.#observer = options.observer;
    const timeout = options.timeout ?? DEFAULTS.timeout;
    if (!(timeout > 0)) throw new RangeError(`ObjectProxy timeout must be > 0 ms, got ${timeout}`);
    this.#timeout = timeout;
    this.#version = options.version ?? TarsVersion.Tars;
    if (
      this.#version !== TarsVersion.Tars &&
      this.#version !== TarsVersion.TupComplex &&
      this.#version !== TarsVersion.TupSimple
    ) {
      throw new RangeError(
        `ObjectProxy version must be 1 (TARS), 2 (TUP complex) or 3 (TUP simple), got ${String(this.#version)}`,
      );
    }
    for (const e of addr.endpoints) {
      if (e.protocol !== 'tcp')
        throw new RangeError(`only tcp endpoints are supported, got ${e.protocol} in ${this.name}`);
    }
    const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes;
    if (!(Number.isSafeInteger(maxBufferedBytes) && maxBufferedBytes >= 1024))
      throw new RangeError(
        `ObjectProxy maxBufferedBytes must be an integer >= 1024, got ${maxBufferedBytes}`,
      );
    this.#pool = new EndpointPool({
      connectTimeout: options.connectTimeout ?? DEFAULTS.connectTimeout,
      maxPacketLength: options.maxPacketLength ?? DEFAULTS.maxPacketLength,
      maxBufferedBytes,
      health: resolveHealthPolicy(options),
      logger: options.logger ?? pino({ level: 'silent' }),
      firstRequestId: options.firstRequestId,
      now: options.now,
    });
    if (addr.endpoints.length > 0) {
      this.#pool.setEndpoints(addr.endpoints);
    } else if (options.endpointSource) {
      this.#stopWatch = options.endpointSource.watch(this.name, (eps) =>
        this.#pool.setEndpoints(eps.filter((e) => e.protocol === 'tcp')),
      );
    } else {
      throw new RangeError(`"${this.name}" has no @endpoints and no registry (locator) is configured`);
    }
  }

  /** The endpoints currently in use (direct, or the registry's last answer). */
  get endpoints(): Endpoint[] {
    return this.#pool.endpoints;
  }

  /** Calls `func`; see {@link Invoker}. Fails only with {@link TarsRpcError}. */
  invoke<R>(
    func: string,
    writeArgs: (a: ArgWriter) => void,
    readResult: (r: ArgReader) => R,
    options?: CallOptions,
  ): Promise<R> {
    if (this.#closed)
      return Promise.reject(new TarsRpcError(TarsRet.SendRequestError, `proxy ${this.name} is closed`));
    let args: Uint8Array;
    try {
      args = encodeArgs(this.#version, writeArgs);
    } catch (err) {
      return Promise.reject(toRpcError(err, TarsRet.SendRequestError, `cannot encode arguments of ${func}`));
    }
    const timeout = options?.timeout ?? this.#timeout;
    return new Promise<R>((resolve, reject) => {
      const call = new Call<R>(this, func, args, timeout, options, readResult, resolve, reject);
      call.route(this.#now() + timeout);
    });
  }

  /** Stops new calls and closes the connections once in-flight calls finish, waiting at most `limitMs`. */
  async close(limitMs = 5000): Promise<void> {
    this.#closed = true;
    this.#stopWatch?.();
    await this.#pool.close(limitMs);
  }

  /** Closes everything now; in-flight calls fail with -13. */
  destroy(): void {
    this.#closed = true;
    this.#stopWatch?.();
    this.#pool.destroy(new TarsRpcError(TarsRet.SendRequestError, `proxy ${this.name} destroyed`));
  }

  /** @internal */
  get _pool(): EndpointPool {
    return this.#pool;
  }
  /** @internal */
  get _version(): number {
    return this.#version;
  }
  /** @internal The observer of calls made now (the process default may change after creation). */
  get _observer(): CallObserver | undefined {
    return this.#observer === undefined ? defaultObserver : (this.#observer ?? undefined);
  }
}

/** One call in flight: owns its timer and settles its promise exactly once. */
class Call<R> implements PendingCall {
  #done = false;
  #timer: NodeJS.Timeout | undefined;
  #slot: EndpointSlot | undefined;
  #conn: ClientConnection | undefined;
  #requestId = -1;
  readonly #observer: CallObserver | undefined;
  readonly #started: number;

  constructor(
    readonly proxy: ObjectProxy,
    readonly func: string,
    readonly args: Uint8Array,
    readonly timeout: number,
    readonly options: CallOptions | undefined,
    readonly readResult: (r: ArgReader) => R,
    readonly resolve: (v: R) => void,
    readonly reject: (e: TarsRpcError) => void,
  ) {
    this.#timer = setTimeout(() => this.#expire(), timeout);
    this.#observer = proxy._observer;
    this.#started = this.#observer ? performance.now() : 0;
  }

  /** Sends on the next endpoint: an open one at once if round robin has it, else after the pool acquires one. */
  route(deadline: number): void {
    const pool = this.proxy._pool;
    const slot = pool.pickOpen();
    if (slot) {
      this.send(slot, deadline);
    } else {
      pool.acquire(deadline).then(
        (s) => this.send(s, deadline),
        (err: unknown) => this.fail(toRpcError(err, TarsRet.ProxyConnectError, 'no connection')),
      );
    }
  }

  /**
   * Writes the request on `slot`'s connection. A connection that refuses it for the bound (-9) only now, because
   * this request would pass it, refuses every call from then on: the call is routed again, so that another
   * endpoint takes it if one can. A connection that was already refusing was the pool's last choice: -9 it is.
   */
  send(slot: EndpointSlot, deadline: number): void {
    if (this.#done) {
      this.proxy._pool.abandon(slot); // timed out while connecting
      return;
    }
    const conn = slot.conn;
    if (conn === undefined || !conn.isOpen) {
      this.proxy._pool.abandon(slot);
      this.fail(new TarsRpcError(TarsRet.ProxyConnectError, 'connection closed before the request was sent'));
      return;
    }
    const oneway = this.options?.oneway === true;
    const proxy = this.proxy;
    const context = this.options?.context;
    const wasRefusing = conn.refusing;
    try {
      this.#requestId = conn.send(
        (requestId) =>
          encodeRequest({
            version: proxy._version,
            packetType: oneway ? PacketType.Oneway : PacketType.Normal,
            messageType: 0,
            requestId,
            servantName: proxy.name,
            funcName: this.func,
            buffer: this.args,
            timeout: this.timeout,
            context: context === undefined ? EMPTY : new Map(Object.entries(context)),
            status: EMPTY,
          }),
        oneway ? undefined : this,
      );
    } catch (err) {
      this.proxy._pool.abandon(slot);
      // Routed again only after a connection newly turned to refusing (it stays so until its socket drains): at most
      // once per endpoint between drains, and never past the call's timeout (send returns once it is done).
      if (err instanceof TarsRpcError && err.code === TarsRet.Overload && !wasRefusing && conn.refusing) {
        this.route(deadline);
        return;
      }
      this.fail(toRpcError(err, TarsRet.SendRequestError, `cannot send ${this.func}`));
      return;
    }
    this.#slot = slot;
    this.#conn = conn;
    if (oneway) {
      // No reply will come to judge the endpoint by; a written request is the best health signal there is.
      this.proxy._pool.reportSuccess(slot);
      this.#finish(() => this.readResult(defaultsArgReader()));
      return;
    }
  }

  /** Called by the connection with the reply, or with the error that ended the connection. */
  settle(result: Reply | TarsRpcError): void {
    if (this.#done) return;
    const slot = this.#slot;
    if (result instanceof TarsRpcError) {
      if (slot) this.proxy._pool.reportFailure(slot);
      this.fail(result);
      return;
    }
    if (slot) this.proxy._pool.reportSuccess(slot);
    if (result.ret !== 0) {
      this.fail(
        new TarsRpcError(
          result.ret,
          result.resultDesc || `${this.proxy.name}.${this.func} failed with ${result.ret}`,
        ),
      );
      return;
    }
    this.#finish(() => this.readResult(newArgReader(result.version, result.buffer)));
  }

  fail(err: TarsRpcError): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    if (this.#observer) this.#observe(err.code, err.code === TarsRet.InvokeTimeout);
    this.reject(err);
  }

  #finish(read: () => R): void {
    let value: R;
    try {
      value = read();
    } catch (err) {
      this.fail(toRpcError(err, TarsRet.ClientDecodeError, `cannot decode the reply of ${this.func}`));
      return;
    }
    this.#done = true;
    clearTimeout(this.#timer);
    if (this.#observer) this.#observe(0, false);
    this.resolve(value);
  }

  #observe(ret: number, timedOut: boolean): void {
    const ep = this.#slot?.endpoint;
    try {
      this.#observer?.(
        this.proxy.name,
        this.func,
        ep?.host ?? '',
        ep?.port ?? 0,
        ret,
        performance.now() - this.#started,
        timedOut,
      );
    } catch {
      // Statistics must never change a call's outcome.
    }
  }

  #expire(): void {
    if (this.#done) return;
    const slot = this.#slot;
    if (slot) {
      this.#conn?.forget(this.#requestId);
      this.proxy._pool.reportFailure(slot);
    }
    this.fail(
      new TarsRpcError(
        TarsRet.InvokeTimeout,
        `${this.proxy.name}.${this.func} timed out after ${this.timeout} ms`,
      ),
    );
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map();
