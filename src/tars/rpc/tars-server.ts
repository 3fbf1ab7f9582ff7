/**
 * A Tars RPC server: hosts servants on one TCP endpoint and answers TARS (iVersion 1) and TUP (iVersion 2 and 3)
 * requests the way TarsCpp and @tars/rpc do. Generated servant bases provide the operation tables.
 */
import net from 'node:net';
import pino, { type Logger } from 'pino';
import type { ServantOperation } from '../contract.js';
import { ServantDispatcher } from './servant-dispatcher.js';
import { ServerConnection } from './server-connection.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';

/** Options of a {@link TarsServer}. */
export interface TarsServerOptions {
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 picks a free one. Default 0. */
  port?: number;
  /** Alternatively a Tars endpoint string, `tcp -h HOST -p PORT -t MS` (overrides host/port). */
  endpoint?: string;
  /** Largest request accepted, bytes; a larger length prefix closes that connection. Default 10 MiB. */
  maxPacketLength?: number;
  /**
   * Requests of one connection served at once; past it the server stops reading that connection until half of them
   * have replied, so a pipelining client cannot grow memory without bound. Default 1000.
   */
  maxInFlightPerConnection?: number;
  /**
   * A connection that sends no complete request for this long while none of its requests is being served is
   * closed: an idle client, or one stuck in the middle of a frame (a partial frame does not count as activity).
   * Clients reconnect on their next call. 0 disables it. Default 60000 ms.
   */
  idleTimeoutMs?: number;
  /** Default: silent. */
  logger?: Logger;
}

/**
 * A Tars RPC server on one TCP endpoint: hosts servants (generated `XServant.operations`), answers TARS, TUP v2 and
 * TUP v3 requests, and bounds what each connection may hold (in-flight requests, packet size, idle time).
 *
 * @example
 * const server = new TarsServer({ port: 18600 });
 * server.addServant('TestApp.HelloServer.HelloObj', new HelloImpl(), HelloServant.operations);
 * const { port } = await server.listen();
 */
export class TarsServer {
  readonly #dispatcher: ServantDispatcher;
  readonly #connections = new Set<ServerConnection>();
  readonly #server: net.Server;
  readonly #host: string;
  readonly #port: number;
  readonly #maxPacketLength: number;
  readonly #maxInFlight: number;
  readonly #idleTimeoutMs: number;
  readonly #logger: Logger;

  constructor(options: TarsServerOptions = {}) {
    const ep: Endpoint | undefined =
      options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint);
    if (ep && ep.protocol !== 'tcp')
      throw new RangeError(`TarsServer only listens on tcp, got ${ep.protocol}`);
    this.#host = ep?.host ?? options.host ?? '127.0.0.1';
    this.#port = ep?.port ?? options.port ?? 0;
    this.#maxPacketLength = options.maxPacketLength ?? 10 * 1024 * 1024;
    if (!(this.#maxPacketLength >= 64))
      throw new RangeError(`maxPacketLength must be >= 64, got ${this.#maxPacketLength}`);
    this.#maxInFlight = options.maxInFlightPerConnection ?? 1000;
    if (!(Number.isInteger(this.#maxInFlight) && this.#maxInFlight >= 1))
      throw new RangeError(`maxInFlightPerConnection must be an integer >= 1, got ${this.#maxInFlight}`);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    if (!(Number.isInteger(this.#idleTimeoutMs) && this.#idleTimeoutMs >= 0 && this.#idleTimeoutMs < 2 ** 31))
      throw new RangeError(
        `idleTimeoutMs must be an integer of ms in 0..2147483647 (0: never), got ${this.#idleTimeoutMs}`,
      );
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#dispatcher = new ServantDispatcher(this.#logger);
    this.#server = net.createServer((socket) => {
      const conn = new ServerConnection(socket, this.#dispatcher, {
        maxPacketLength: this.#maxPacketLength,
        maxInFlight: this.#maxInFlight,
        idleTimeoutMs: this.#idleTimeoutMs,
        logger: this.#logger,
      });
      this.#connections.add(conn);
      void conn.closed.then(() => this.#connections.delete(conn));
    });
    this.#server.on('error', (err) => this.#logger.error({ err: err.message }, 'tars server error'));
  }

  /** Hosts `impl` as servant `name` (`App.Server.Obj`); `operations` comes from the generated servant base. */
  addServant<S>(name: string, impl: S, operations: Readonly<Record<string, ServantOperation<S>>>): this {
    this.#dispatcher.add(name, impl, operations);
    return this;
  }

  /**
   * How many default `string` arguments of servant `name` arrived as invalid UTF-8 and were decoded with U+FFFD
   * (the first one of each servant is also logged as a warning). Declare such arguments binary
   * (tars2ts `--binary-strings`) to receive their bytes instead.
   */
  invalidUtf8Count(name: string): number {
    return this.#dispatcher.invalidUtf8Count(name);
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.removeListener('error', onError);
        const addr = this.address;
        this.#logger.info({ ...addr, servants: this.#dispatcher.names }, 'tars server listening');
        resolve(addr);
      });
    });
  }

  /** The bound address; port 0 before `listen`. */
  get address(): { host: string; port: number } {
    const a = this.#server.address();
    return a !== null && typeof a === 'object'
      ? { host: a.address, port: a.port }
      : { host: this.#host, port: 0 };
  }

  /** The endpoint string clients use: `tcp -h HOST -p PORT -t 60000`. */
  get endpoint(): string {
    const { host, port } = this.address;
    return `tcp -h ${host} -p ${port} -t 60000`;
  }

  /** Stops accepting, lets requests being served reply (up to `limitMs`), then closes every connection. */
  async close(limitMs = 5000): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all([...this.#connections].map((c) => c.drain(limitMs)));
    for (const c of this.#connections) c.destroy();
    await stopped;
  }
}
