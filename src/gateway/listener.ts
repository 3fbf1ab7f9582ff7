/**
 * The TCP/HTTP edge of the gateway's port: node:http with bounded timeouts, the per-address and HTTP connection
 * limits, the right status for malformed requests, and refusals that never leave a socket without an error
 * listener (a client that resets its connection at once must not be able to crash the process).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GatewayConfig } from '../config/options.js';
import { ErrorCode, GatewayError } from '../errors.js';
import type { LogLimiter } from '../logger.js';

/** How often Node checks the header and request timeouts (its default, 30 s, would stretch a 10 s timeout to 40). */
const TIMEOUT_CHECK_MS = 1000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

/** The answer Node's HTTP parser errors deserve (what Node's own default clientError handler answers, and more). */
export function errorOfClientError(err: NodeJS.ErrnoException): GatewayError {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new GatewayError(ErrorCode.RequestTimeout, 'request not received in time');
    case 'HPE_HEADER_OVERFLOW':
      return new GatewayError(ErrorCode.HeadersTooLarge, 'request headers too large');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new GatewayError(ErrorCode.PayloadTooLarge, 'chunk extensions too large');
    default:
      return new GatewayError(ErrorCode.BadPayload, 'malformed HTTP request');
  }
}

/** Whether a socket was refused by the limits (its request, if one still gets parsed, must not be served). */
const refused = new WeakSet<object>();

/**
 * Writes a complete HTTP error response with a JSON body to a raw socket and closes it. The error listener comes
 * first: the peer may already be gone, and a write to a reset socket emits an error that would otherwise be
 * uncaught.
 */
export function refuseSocket(socket: Duplex, err: GatewayError): void {
  socket.on('error', () => {});
  refused.add(socket);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.status;
  const body = JSON.stringify(err.toJSON());
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  // A peer that never reads would hold the socket open: the answer has had its chance after a second.
  setTimeout(() => socket.destroy(), 1000).unref();
}

export function wasRefused(socket: object): boolean {
  return refused.has(socket);
}

/** Counts TCP connections per client address and those not (yet) upgraded to WebSocket, refusing past the limits. */
export class ConnectionLimits {
  readonly #perAddress = new Map<string, number>();
  readonly #kind = new WeakMap<Socket, 'http' | 'ws'>();
  #http = 0;
  readonly #maxHttp: number;
  readonly #maxPerAddress: number;
  readonly #log: LogLimiter;

  constructor(config: Readonly<GatewayConfig>, log: LogLimiter) {
    this.#maxHttp = config.maxHttpConnections;
    this.#maxPerAddress = config.maxConnectionsPerAddress;
    this.#log = log;
  }

  /** Open TCP connections that are not WebSockets. */
  get httpConnections(): number {
    return this.#http;
  }

  connectionsFrom(address: string): number {
    return this.#perAddress.get(address) ?? 0;
  }

  /** Called for every new TCP connection: counts it, or refuses it with 503. */
  admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const from = this.#perAddress.get(address) ?? 0;
    if (from >= this.#maxPerAddress) {
      this.#log.warn(
        address,
        { address, limit: this.#maxPerAddress },
        'connection refused: maxConnectionsPerAddress reached',
      );
      refuseSocket(socket, new GatewayError(ErrorCode.Unavailable, 'too many connections from this address'));
      return;
    }
    if (this.#http >= this.#maxHttp) {
      this.#log.warn('http', { limit: this.#maxHttp }, 'connection refused: maxHttpConnections reached');
      refuseSocket(socket, new GatewayError(ErrorCode.Unavailable, 'too many connections'));
      return;
    }
    this.#perAddress.set(address, from + 1);
    this.#http++;
    this.#kind.set(socket, 'http');
    socket.once('close', () => {
      const n = (this.#perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.#perAddress.delete(address);
      else this.#perAddress.set(address, n);
      if (this.#kind.get(socket) === 'http') this.#http--;
      this.#kind.delete(socket);
    });
  }

  /** The socket became a WebSocket: it no longer counts against `maxHttpConnections`. */
  upgraded(socket: Duplex): void {
    const s = socket as Socket;
    if (this.#kind.get(s) !== 'http') return;
    this.#kind.set(s, 'ws');
    this.#http--;
  }
}

export interface ListenerHandlers {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The node:http server of a gateway, with its timeouts, limits and error answers. */
export function createListener(
  config: Readonly<GatewayConfig>,
  limits: ConnectionLimits,
  log: LogLimiter,
  handlers: ListenerHandlers,
): Server {
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: Math.max(config.requestTimeoutMs, config.headersTimeoutMs),
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, config.headersTimeoutMs),
    },
    (req, res) => {
      if (wasRefused(req.socket)) {
        res.destroy();
        return;
      }
      handlers.request(req, res);
    },
  );
  server.on('connection', (socket: Socket) => limits.admit(socket));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own listeners from an upgraded socket: from here on it is ours to guard.
    socket.on('error', (err) =>
      log.debug(req.socket.remoteAddress ?? '', { err: err.message }, 'upgrade socket error'),
    );
    if (wasRefused(socket)) {
      socket.destroy();
      return;
    }
    handlers.upgrade(req, socket, head);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way cannot be followed by another one: just cut the connection.
    if ((socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = errorOfClientError(err);
    log.debug(
      (socket as Socket).remoteAddress ?? '',
      { err: err.message, code: err.code, status: answer.status },
      'malformed HTTP request',
    );
    refuseSocket(socket, answer);
  });
  return server;
}
