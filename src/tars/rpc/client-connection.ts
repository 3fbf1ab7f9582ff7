/**
 * One TCP connection from a client to one endpoint: lazy connect with a timeout, request-id multiplexing, reply
 * routing. Anything a peer sends that cannot be framed or decoded closes this connection and fails its in-flight
 * calls with a TarsRpcError; nothing escapes the socket handlers.
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
   * request is one-way. Returns the id, which the caller uses to {@link forget} a timed-out call.
   */
  send(encode: (requestId: number) => Uint8Array, call: PendingCall | undefined): number {
    if (this.#state !== 'open' || this.#socket === undefined) {
      throw new TarsRpcError(TarsRet.SendRequestError, 'connection not open');
    }
    const id = this.#ids.next();
    const bytes = encode(id);
    if (call) this.#pending.set(id, call);
    if (this.#batch.push(bytes) === 1) setImmediate(this.#flush);
    return id;
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = [];
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
