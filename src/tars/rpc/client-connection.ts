/**
 * One TCP connection from a client to one endpoint: lazy connect with a timeout, request-id multiplexing, reply
 * routing. Anything a peer sends that cannot be framed or decoded closes this connection and fails its in-flight
 * calls with a TarsRpcError; nothing escapes the socket handlers. The bytes waiting to be written are bounded
 * (`maxBufferedBytes`): a peer that stops reading makes new calls fail at once with -9 (Overload) until the
 * socket drains, instead of piling requests up in memory.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { Endpoint } from './endpoint.js';
import { formatEndpoint } from './endpoint.js';
import { TarsRet, TarsRpcError } from './errors.js';
import { decodeReply, FrameSplitter, type Reply } from './packets.js';
import { RequestIds } from './request-ids.js';

/** A call waiting for its reply. `settle` is called exactly once by the connection, unless the call is forgotten. */
export interface PendingCall {
  settle(result: Reply | TarsRpcError): void;
}

/** Options of a client connection, fully resolved by the pool. */
export interface ClientConnectionOptions {
  readonly connectTimeout: number;
  readonly maxPacketLength: number;
  /**
   * Most bytes waiting to be written (the socket's buffer and this turn's batch): a request that would pass it
   * fails with -9 (Overload), and so does every request after it until the socket drains. A request is always
   * accepted when nothing is waiting, however large.
   */
  readonly maxBufferedBytes: number;
  readonly logger: Logger;
  /** First request id (tests start near 2^31 to see the wrap-around). */
  readonly firstRequestId?: number;
  /** Called once when the connection is gone (after in-flight calls were failed). */
  readonly onClose?: (conn: ClientConnection, err: TarsRpcError | undefined) => void;
}

type State = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

export class ClientConnection {
  readonly endpoint: Endpoint;
  readonly #opts: ClientConnectionOptions;
  readonly #pending = new Map<number, PendingCall>();
  readonly #ids: RequestIds;
  #socket: net.Socket | undefined;
  #state: State = 'idle';
  #connecting: Promise<void> | undefined;
  /** Fails the connect in progress (a close or destroy while connecting must not leave it pending). */
  #abortConnect: ((err: Error) => void) | undefined;
  /** Requests made during one event-loop turn, sent together after its I/O: one syscall for many calls. */
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  /** The write buffer passed `maxBufferedBytes`: new requests fail until the socket drains. */
  #overloaded = false;
  #drained: (() => void) | undefined;

  constructor(endpoint: Endpoint, opts: ClientConnectionOptions) {
    this.endpoint = endpoint;
    this.#opts = opts;
    this.#ids = new RequestIds(this.#pending, opts.firstRequestId);
  }

  /** True when calls can be written right now. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }
  /** True once closed or closing: the pool replaces such a connection. */
  get isGone(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }
  /** Number of calls awaiting a reply. */
  get inFlight(): number {
    return this.#pending.size;
  }
  /**
   * True while {@link send} refuses every request with -9: the buffer passed `maxBufferedBytes` and has not drained
   * since, or it is at the bound. False does not promise that a given request fits: one that would pass the bound
   * is still refused, and from then on this is true. The pool skips such a connection when another can take a call.
   */
  get refusing(): boolean {
    const buffered = this.bufferedBytes;
    return this.#overloaded ? buffered > 0 : buffered >= this.#opts.maxBufferedBytes;
  }
  /** Bytes of requests not yet written to the kernel: the socket's buffer and this turn's batch. */
  get bufferedBytes(): number {
    return (this.#socket?.writableLength ?? 0) + this.#batchBytes;
  }

  /** Connects once; later calls share the same attempt. Rejects with TarsRpcError -8. */
  connect(): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    if (this.isGone) return Promise.reject(new TarsRpcError(TarsRet.ProxyConnectError, 'connection closed'));
    this.#state = 'connecting';
    this.#connecting = new Promise<void>((resolve, reject) => {
      const where = formatEndpoint(this.endpoint);
      const socket = net.connect({ host: this.endpoint.host, port: this.endpoint.port, noDelay: true });
      this.#socket = socket;
      const timer = setTimeout(() => {
        fail(new Error(`connect timeout after ${this.#opts.connectTimeout} ms`));
      }, this.#opts.connectTimeout);
      const fail = (err: Error): void => {
        this.#abortConnect = undefined;
        clearTimeout(timer);
        socket.removeListener('connect', ok);
        const e = new TarsRpcError(TarsRet.ProxyConnectError, `connect to ${where} failed: ${err.message}`, {
          cause: err,
        });
        this.#teardown(e);
        reject(e);
      };
      this.#abortConnect = fail;
      const ok = (): void => {
        this.#abortConnect = undefined;
        clearTimeout(timer);
        socket.removeListener('error', fail);
        this.#state = 'open';
        this.#attach(socket);
        resolve();
      };
      socket.once('connect', ok);
      socket.once('error', fail);
    });
    return this.#connecting;
  }

  /**
   * Writes one request. `encode` receives the request id chosen here; `call` is registered under it unless the
   * request is one-way. Returns the id, which the caller uses to {@link forget} a timed-out call. Throws
   * TarsRpcError -13 when the connection is not open, and -9 (Overload, nothing queued) when the request would
   * pass `maxBufferedBytes` or the buffer has not drained since it did.
   */
  send(encode: (requestId: number) => Uint8Array, call: PendingCall | undefined): number {
    if (this.#state !== 'open' || this.#socket === undefined) {
      throw new TarsRpcError(TarsRet.SendRequestError, 'connection not open');
    }
    const buffered = this.bufferedBytes;
    if (this.refusing) throw this.#overload(buffered);
    // Not refusing although overloaded: the buffer is empty. A write of bytes below the socket's high-water mark
    // promises no 'drain', so that ends the overload too.
    if (this.#overloaded) this.#flowAgain();
    const id = this.#ids.next();
    const bytes = encode(id);
    if (buffered > 0 && buffered + bytes.length > this.#opts.maxBufferedBytes) throw this.#overload(buffered);
    if (call) this.#pending.set(id, call);
    this.#batchBytes += bytes.length;
    if (this.#batch.push(bytes) === 1) setImmediate(this.#flush);
    return id;
  }

  #flowAgain(): void {
    this.#overloaded = false;
    this.#opts.logger.info(
      { endpoint: formatEndpoint(this.endpoint) },
      'tars connection drained; calls flow again',
    );
  }

  #overload(buffered: number): TarsRpcError {
    const where = formatEndpoint(this.endpoint);
    if (!this.#overloaded) {
      this.#overloaded = true;
      this.#opts.logger.warn(
        { endpoint: where, bufferedBytes: buffered, maxBufferedBytes: this.#opts.maxBufferedBytes },
        'tars peer is not reading its requests; new calls fail until the connection drains',
      );
    }
    return new TarsRpcError(
      TarsRet.Overload,
      `${buffered} bytes of requests to ${where} are waiting to be written (maxBufferedBytes ${this.#opts.maxBufferedBytes}): the peer is not reading; try later`,
    );
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    const socket = this.#socket;
    if (socket === undefined || this.#state === 'closed' || batch.length === 0) return;
    socket.write(batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch));
  };

  /** Drops a call (timed out): a late reply for its id is then ignored. */
  forget(requestId: number): void {
    this.#pending.delete(requestId);
  }

  /** Stops new calls, waits for in-flight replies up to `limitMs`, then closes; the rest fail with -8. */
  async close(limitMs: number): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state !== 'open' || this.#pending.size === 0) {
      this.destroy();
      return;
    }
    this.#state = 'closing';
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.destroy(new TarsRpcError(TarsRet.ProxyConnectError, 'connection closed before the reply'));
  }

  /** Closes now; in-flight calls fail with `err` (default: -8 connection closed). */
  destroy(err?: TarsRpcError): void {
    this.#teardown(err ?? new TarsRpcError(TarsRet.ProxyConnectError, 'connection closed before the reply'));
  }

  #attach(socket: net.Socket): void {
    const where = formatEndpoint(this.endpoint);
    const frames = new FrameSplitter(this.#opts.maxPacketLength);
    socket.on('data', (chunk: Buffer) => {
      let bodies: Uint8Array[];
      try {
        bodies = frames.push(chunk);
      } catch (err) {
        this.#garbage(where, err);
        return;
      }
      for (const body of bodies) {
        let reply: Reply;
        try {
          reply = decodeReply(body);
        } catch (err) {
          this.#garbage(where, err);
          return;
        }
        const call = this.#pending.get(reply.requestId);
        if (call === undefined) {
          // A reply after its call timed out, or a confused peer: nothing waits for it.
          this.#opts.logger.debug(
            { endpoint: where, requestId: reply.requestId },
            'tars reply for no pending call',
          );
          continue;
        }
        this.#pending.delete(reply.requestId);
        call.settle(reply);
        if (this.#drained && this.#pending.size === 0) this.#drained();
      }
    });
    socket.on('drain', () => {
      if (this.#overloaded) this.#flowAgain();
    });
    socket.on('error', (err) => {
      this.#opts.logger.debug({ endpoint: where, err: err.message }, 'tars connection error');
    });
    socket.on('close', () => {
      this.#teardown(
        new TarsRpcError(TarsRet.ProxyConnectError, `connection to ${where} lost before the reply`),
      );
    });
  }

  #garbage(where: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.#opts.logger.warn({ endpoint: where, err: msg }, 'tars peer sent an undecodable packet; closing');
    this.#teardown(
      new TarsRpcError(TarsRet.ClientDecodeError, `bad reply from ${where}: ${msg}`, { cause: err }),
    );
  }

  #teardown(err: TarsRpcError): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#socket?.destroy();
    this.#abortConnect?.(err);
    const calls = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of calls) call.settle(err);
    this.#drained?.();
    this.#opts.onClose?.(this, err);
  }
}
