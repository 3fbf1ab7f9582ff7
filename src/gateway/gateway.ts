/**
 * The gateway: HTTP and WebSocket on one port. It owns the connections of this process, their local room index
 * (for delivery) in step with the room store (the shared record), and publishes every send through the broker so
 * that the same code works with one process, several workers or several machines.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LocalBroker } from '../broker/broker-local.js';
import type { Broker, BrokerMessage } from '../broker/broker.js';
import type { GatewayConfig } from '../config/options.js';
import { CloseCode, ErrorCode, GatewayError } from '../errors.js';
import type { ControllerClass } from '../http/controller.js';
import { sameOrigin } from '../http/push-auth.js';
import { HttpRouter, type RouteHandler } from '../http/router.js';
import { createLogger, type Logger } from '../logger.js';
import { PROTOCOLS, selectProtocol, SUBPROTOCOL_PREFIX } from '../protocol/index.js';
import type { InboundMessage, OutboundPush, Protocol } from '../protocol/protocol.js';
import { validateRoomId, type RoomStore } from '../store/room-store.js';
import {
  connIdBase,
  MAX_PROCESS_INDEX,
  type ConnId,
  type NodeId,
  type ProcessIndex,
  type RoomId,
} from '../types.js';
import { openCoreBackends, type BackendOpener } from './backends.js';
import { Connection } from './connection.js';
import { prepareTextFrame, type PreparedFrame } from './frame.js';
import { MessageContext, MessageRouter, type MessageHandler } from './messages.js';

export interface GatewayDeps {
  logger?: Logger;
  /** Room store; default: opened from `config.roomStore`. */
  store?: RoomStore;
  /** Fan-out between processes; default: {@link LocalBroker}. */
  broker?: Broker;
  /** This process's number in a multi-process deployment (connection ids derive from it); default 0. */
  processIndex?: ProcessIndex;
  /** This process's name in logs and stores; default `p<processIndex>`. */
  nodeId?: NodeId;
}

/**
 * Receives the traffic figures of a gateway (for statistics reports). Called on the message path, so
 * implementations must only count: no I/O, no allocation per call beyond a counter update.
 */
export interface GatewayObserver {
  /** A WebSocket command was handled: its name, whether it succeeded, and how long the handler took. */
  message?(cmd: string, ok: boolean, elapsedMs: number): void;
  /** An HTTP request was answered: the route (path), status and time to answer. */
  http?(route: string, status: number, elapsedMs: number): void;
}

interface GatewayEvents {
  open: [conn: Connection];
  close: [conn: Connection, code: number, reason: string];
  /** A connection was closed with 4008 because its unsent buffer passed `maxBufferedBytes`. */
  slowConsumer: [conn: Connection];
}

/** Traffic counters of this process since start. */
export interface GatewayStats {
  connectionsOpened: number;
  messagesIn: number;
  /** Frames written to receivers (one per receiver per push). */
  deliveries: number;
  /** Frames that could not be written (slow consumer or closed). */
  dropped: number;
}

export class Gateway extends EventEmitter<GatewayEvents> {
  readonly config: Readonly<GatewayConfig>;
  readonly logger: Logger;
  readonly store: RoomStore;
  readonly broker: Broker;
  readonly nodeId: NodeId;
  readonly processIndex: ProcessIndex;
  readonly stats: GatewayStats = { connectionsOpened: 0, messagesIn: 0, deliveries: 0, dropped: 0 };

  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #router: HttpRouter;
  readonly #messages = new MessageRouter();
  readonly #conns = new Map<ConnId, Connection>();
  readonly #rooms = new Map<RoomId, Set<Connection>>();
  readonly #defaultProtocol: Protocol;
  readonly #origins: ReadonlySet<string> | '*';
  #nextId: ConnId;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  readonly #shutdownHooks: (() => Promise<void> | void)[] = [];
  #observer: GatewayObserver | undefined;

  static #openBackends: BackendOpener = openCoreBackends;

  /**
   * Sets how {@link create} opens the backends a config names. The package entry (`tars-ws`) installs the
   * composition layer's opener, which knows every backend; the core alone knows memory and local only.
   */
  static useBackends(open: BackendOpener): void {
    Gateway.#openBackends = open;
  }

  /**
   * Opens the room store and broker named by the config (unless given in `deps`) and builds a gateway; call
   * {@link listen} next.
   */
  static async create(config: Readonly<GatewayConfig>, deps: GatewayDeps = {}): Promise<Gateway> {
    const logger = deps.logger ?? createLogger(config.logLevel);
    const opened = await Gateway.#openBackends(config, logger, { store: deps.store, broker: deps.broker });
    return new Gateway(config, {
      processIndex: opened.processIndex,
      ...deps,
      logger,
      store: opened.store,
      broker: opened.broker,
    });
  }

  constructor(config: Readonly<GatewayConfig>, deps: GatewayDeps & { store: RoomStore }) {
    super();
    this.config = config;
    this.logger = deps.logger ?? createLogger(config.logLevel);
    this.store = deps.store;
    this.broker = deps.broker ?? new LocalBroker();
    this.processIndex = deps.processIndex ?? 0;
    if (
      !Number.isSafeInteger(this.processIndex) ||
      this.processIndex < 0 ||
      this.processIndex > MAX_PROCESS_INDEX
    ) {
      throw new RangeError(`processIndex must be an integer from 0 to ${MAX_PROCESS_INDEX}`);
    }
    this.nodeId = deps.nodeId ?? `p${this.processIndex}`;
    this.#nextId = connIdBase(this.processIndex) + 1;
    this.#defaultProtocol = PROTOCOLS.get(config.defaultProtocol) ?? PROTOCOLS.values().next().value!;
    this.#origins =
      config.allowedOrigins.trim() === '*'
        ? '*'
        : new Set(
            config.allowedOrigins
              .split(',')
              .map((o) => o.trim())
              .filter((o) => o !== ''),
          );
    this.#router = new HttpRouter(this, this.logger.child({ component: 'http' }));
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => {
        for (const p of offered)
          if (p.startsWith(SUBPROTOCOL_PREFIX) && PROTOCOLS.has(p.slice(SUBPROTOCOL_PREFIX.length))) return p;
        return false;
      },
    });
    this.#http = createServer((req, res) => void this.#router.handle(req, res));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
    this.#http.on('clientError', (err, socket) => {
      this.logger.debug({ err: err.message }, 'malformed HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    this.broker.subscribe((msg) => this.#deliver(msg));
    this.store.attach?.(this);
  }

  // ---- application API ------------------------------------------------------------------------------------------

  /** Registers the handler of a command. */
  onMessage(cmd: string, handler: MessageHandler): this {
    this.#messages.on(cmd, handler);
    return this;
  }

  /** Registers the handler of commands nobody else handles. */
  onOtherMessage(handler: MessageHandler): this {
    this.#messages.otherwise(handler);
    return this;
  }

  /** Routes `/<name>/<action>` to `cls`. */
  controller(name: string, cls: ControllerClass): this {
    this.#router.controller(name, cls);
    return this;
  }

  /** Handles one exact path (any method). */
  route(path: string, handler: RouteHandler): this {
    this.#router.route(path, handler);
    return this;
  }

  /** Serves a folder of static files under a URL prefix. */
  serveStatic(prefix: string, dir: string): this {
    this.#router.static(prefix, dir);
    return this;
  }

  /** Starts listening on `config.host:config.port`; resolves the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#http.once('error', onError);
      this.#http.listen(this.config.port, this.config.host, () => {
        this.#http.off('error', onError);
        this.#http.on('error', (err) => this.logger.error({ err }, 'http server error'));
        this.#startHeartbeat();
        const addr = this.address;
        this.logger.info({ host: addr.address, port: addr.port }, 'tars-ws gateway listening');
        if (this.config.pushToken === '') {
          this.logger.warn(
            'push API accepts loopback callers only: set PUSH_TOKEN to allow remote callers with a token',
          );
        }
        resolve(addr);
      });
    });
  }

  get address(): AddressInfo {
    return this.#http.address() as AddressInfo;
  }

  /** `http://host:port` of the listener. */
  get url(): string {
    const { address, family, port } = this.address;
    return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
  }

  /** The node:http server, for embedding (extra listeners, timeouts). */
  get httpServer(): Server {
    return this.#http;
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  connection(id: ConnId): Connection | undefined {
    return this.#conns.get(id);
  }

  connections(): IterableIterator<Connection> {
    return this.#conns.values();
  }

  /** Every (room, connection) membership held by this process; stores use it to re-register after an outage. */
  *localMemberships(): IterableIterator<[RoomId, ConnId]> {
    for (const [room, members] of this.#rooms) for (const conn of members) yield [room, conn.id];
  }

  /** Validates a room name received from a client (BAD_ROOM otherwise). */
  checkRoom(room: unknown): RoomId {
    return validateRoomId(room, this.config.maxRoomNameLength);
  }

  /** Validates a message to push (BAD_PARAM when longer than `maxMessageLength`). */
  checkMessage(message: string): string {
    if (message.length > this.config.maxMessageLength) {
      throw new GatewayError(
        ErrorCode.BadParam,
        `message is longer than ${this.config.maxMessageLength} characters`,
      );
    }
    return message;
  }

  /** Adds a connection to a room; resolves false if it was already there or has closed. */
  async join(conn: Connection, room: RoomId): Promise<boolean> {
    // A handler queued behind others may run after the close removed the connection's memberships; joining then
    // would leave them in the store and in the local index for good.
    if (conn.rooms.has(room) || !this.#holds(conn)) return false;
    if (conn.rooms.size >= this.config.maxRoomsPerConnection) {
      throw new GatewayError(
        ErrorCode.BadRoom,
        `a connection may join at most ${this.config.maxRoomsPerConnection} rooms`,
      );
    }
    // The local index changes first so a message handled right after this one already sees the membership.
    conn.rooms.add(room);
    conn.everJoined = true;
    let members = this.#rooms.get(room);
    if (!members) this.#rooms.set(room, (members = new Set()));
    members.add(conn);
    try {
      await this.store.add(room, conn.id);
    } catch (err) {
      this.#unindex(conn, room);
      throw new GatewayError(ErrorCode.Upstream, 'room store is unavailable', { cause: err });
    }
    if (!this.#holds(conn)) {
      // Closed while the store was adding: the close's removeConnection may have run before this add landed.
      await this.store.remove(room, conn.id).catch((err: unknown) => {
        this.logger.warn({ conn: conn.id, room, err }, 'room store: could not remove closed connection');
      });
      return false;
    }
    return true;
  }

  /** Removes a connection from a room; resolves false if it was not there. */
  async leave(conn: Connection, room: RoomId): Promise<boolean> {
    if (!this.#unindex(conn, room)) return false;
    try {
      await this.store.remove(room, conn.id);
    } catch (err) {
      throw new GatewayError(ErrorCode.Upstream, 'room store is unavailable', { cause: err });
    }
    return true;
  }

  /** Members of a room as recorded by the room store (all processes sharing it). */
  members(room: RoomId): Promise<ConnId[]> {
    return this.store.members(room);
  }

  /** Sends text to every member of a room, on every process. */
  sendToRoom(room: RoomId, message: string): Promise<void> {
    return this.broker.publish({ kind: 'room', room, message });
  }

  /** Sends text to every open WebSocket connection, on every process. */
  broadcast(message: string): Promise<void> {
    return this.broker.publish({ kind: 'all', message });
  }

  /** Sends text to one connection, whichever process holds it. */
  sendTo(conn: ConnId, message: string): Promise<void> {
    return this.broker.publish({ kind: 'conn', conn, message });
  }

  /** Sets the one observer of this gateway's traffic (statistics). */
  observe(observer: GatewayObserver | undefined): this {
    this.#observer = observer;
    this.#router.observer = observer;
    return this;
  }

  /** Runs `hook` during {@link close}, after the clients are gone (to close RPC proxies, timers, ...). */
  atShutdown(hook: () => Promise<void> | void): this {
    this.#shutdownHooks.push(hook);
    return this;
  }

  /**
   * Stops accepting, closes clients with 1001, waits for them up to `shutdownGraceMs`, then cuts the rest and
   * closes the store and broker. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closing) return refuse(socket, 503, 'server is shutting down');
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      this.#origins !== '*' &&
      !this.#origins.has(origin) &&
      !sameOrigin(origin, req.headers.host)
    ) {
      this.logger.info({ origin }, 'connection refused: origin not allowed');
      return refuse(socket, 403, 'origin not allowed');
    }
    if (this.#conns.size >= this.config.maxConnections) {
      this.logger.warn({ limit: this.config.maxConnections }, 'connection refused: maxConnections reached');
      return refuse(socket, 503, 'too many connections');
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req));
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const offered = new Set(ws.protocol === '' ? [] : [ws.protocol]);
    const protocol = selectProtocol(req, offered, this.#defaultProtocol);
    const conn = new Connection(this.#nextId++, ws, req, protocol, this.config.maxBufferedBytes, (slow) => {
      this.logger.warn({ conn: slow.id, buffered: slow.bufferedAmount }, 'slow consumer closed with 4008');
      this.emit('slowConsumer', slow);
    });
    this.#conns.set(conn.id, conn);
    this.stats.connectionsOpened++;
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.awaitingPong = false));
    ws.on('error', (err) => {
      // ws has already chosen the close code (1009 too big, 1007 bad UTF-8, 1002 protocol error).
      this.logger.info({ conn: conn.id, err: err.message }, 'websocket error, closing');
    });
    ws.on('close', (code, reason) => this.#onClose(conn, code, reason.toString()));
    this.logger.debug(
      { conn: conn.id, ip: conn.remoteAddress, protocol: protocol.name },
      'connection opened',
    );
    this.emit('open', conn);
  }

  #onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    this.stats.messagesIn++;
    if (isBinary) {
      this.#replyError(
        conn,
        undefined,
        new GatewayError(ErrorCode.BadPayload, 'binary frames are not supported'),
      );
      return;
    }
    let msg: InboundMessage;
    try {
      msg = conn.protocol.decode(rawToString(data));
    } catch (err) {
      this.#replyError(conn, undefined, err);
      return;
    }
    const handler = this.#messages.get(msg.cmd);
    if (!handler) return;
    if (conn.pending >= this.config.maxPendingMessages) {
      this.logger.warn(
        { conn: conn.id, pending: conn.pending },
        'too many messages awaiting handling, closing with 1008',
      );
      conn.close(CloseCode.PolicyViolation, 'too many messages in flight');
      return;
    }
    // Handlers of one connection run one after the other, so `subscribe` completes before the next frame.
    conn.pending++;
    conn.chain = conn.chain
      .then(() => this.#runHandler(conn, msg, handler))
      .catch((err: unknown) => this.logger.error({ conn: conn.id, err }, 'message handling failed'));
  }

  async #runHandler(conn: Connection, msg: InboundMessage, handler: MessageHandler): Promise<void> {
    const observer = this.#observer;
    const started = observer ? performance.now() : 0;
    let ok = true;
    try {
      const reply = await handler(new MessageContext(this, conn, msg));
      if (typeof reply === 'string') conn.send(conn.protocol.encodeReply(msg, reply));
    } catch (err) {
      ok = false;
      this.#replyError(conn, msg, err);
    } finally {
      conn.pending--;
      observer?.message?.(msg.cmd, ok, performance.now() - started);
    }
  }

  #replyError(conn: Connection, msg: InboundMessage | undefined, err: unknown): void {
    const gwErr =
      err instanceof GatewayError
        ? err
        : new GatewayError(ErrorCode.Internal, 'internal server error', { cause: err });
    if (gwErr.code === ErrorCode.Internal)
      this.logger.error({ conn: conn.id, cmd: msg?.cmd, err }, 'handler failed');
    else
      this.logger.info(
        { conn: conn.id, cmd: msg?.cmd, code: gwErr.code, msg: gwErr.message },
        'message rejected',
      );
    conn.send(conn.protocol.encodeError(msg, gwErr));
  }

  #onClose(conn: Connection, code: number, reason: string): void {
    this.#conns.delete(conn.id);
    for (const room of [...conn.rooms]) this.#unindex(conn, room);
    // Most connections of a push gateway may never join a room: spare the store (a Redis script, an IPC round trip,
    // a file lock) a call for them.
    if (conn.everJoined) {
      this.store.removeConnection(conn.id).catch((err: unknown) => {
        this.logger.warn({ conn: conn.id, err }, 'room store: could not remove closed connection');
      });
    }
    this.logger.debug({ conn: conn.id, code, reason }, 'connection closed');
    this.emit('close', conn, code, reason);
  }

  /** Whether `conn` is open on this gateway (not yet seen closing). */
  #holds(conn: Connection): boolean {
    return this.#conns.get(conn.id) === conn;
  }

  #unindex(conn: Connection, room: RoomId): boolean {
    if (!conn.rooms.delete(room)) return false;
    const members = this.#rooms.get(room);
    if (members) {
      members.delete(conn);
      if (members.size === 0) this.#rooms.delete(room);
    }
    return true;
  }

  /** Delivers a broker message to the receivers this process holds; frames once per protocol in use. */
  #deliver(msg: BrokerMessage): void {
    let receivers: Iterable<Connection>;
    if (msg.kind === 'room') receivers = this.#rooms.get(msg.room) ?? [];
    else if (msg.kind === 'all') receivers = this.#conns.values();
    else {
      const c = this.#conns.get(msg.conn);
      receivers = c ? [c] : [];
    }
    const push: OutboundPush =
      msg.kind === 'room' ? { message: msg.message, room: msg.room } : { message: msg.message };
    let lastProtocol: Protocol | undefined;
    let text = '';
    let frame: PreparedFrame | undefined;
    let others: Map<Protocol, { text: string; frame: PreparedFrame }> | undefined;
    for (const conn of receivers) {
      if (conn.protocol !== lastProtocol) {
        // Nearly always one protocol per push; the map only comes into play when pages mix protocols.
        others ??= new Map();
        let cached = others.get(conn.protocol);
        if (!cached) {
          const t = conn.protocol.encodePush(push);
          cached = { text: t, frame: prepareTextFrame(t) };
          others.set(conn.protocol, cached);
        }
        lastProtocol = conn.protocol;
        text = cached.text;
        frame = cached.frame;
      }
      if (conn.sendFrame(frame!, text)) this.stats.deliveries++;
      else this.stats.dropped++;
    }
  }

  #startHeartbeat(): void {
    const every = this.config.heartbeatIntervalMs;
    if (every === 0) return;
    this.#heartbeat = setInterval(() => {
      for (const conn of this.#conns.values()) {
        if (conn.awaitingPong) {
          this.logger.info({ conn: conn.id }, 'no pong since last ping, terminating');
          conn.terminate();
          continue;
        }
        conn.awaitingPong = true;
        conn.ping();
      }
    }, every);
    this.#heartbeat.unref();
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.logger.info(
      { connections: this.#conns.size, graceMs: this.config.shutdownGraceMs },
      'shutting down',
    );
    const httpClosed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeIdleConnections();
    const allClosed = new Promise<void>((resolve) => {
      if (this.#conns.size === 0) return resolve();
      const onClose = (): void => {
        if (this.#conns.size === 0) {
          this.off('close', onClose);
          resolve();
        }
      };
      this.on('close', onClose);
    });
    // Their handlers may outlive them (a close does not stop a handler awaiting the store): wait for those below.
    const clients = [...this.#conns.values()];
    for (const conn of clients) conn.close(CloseCode.GoingAway, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs)),
    );
    if ((await Promise.race([allClosed, grace])) === 'timeout') {
      this.logger.warn({ left: this.#conns.size }, 'shutdown grace elapsed, cutting remaining connections');
      for (const conn of this.#conns.values()) conn.terminate();
      await allClosed;
    }
    clearTimeout(timer);
    this.#http.closeAllConnections();
    await httpClosed;
    await Promise.allSettled(clients.map((c) => c.chain));
    for (const hook of this.#shutdownHooks) {
      try {
        await hook();
      } catch (err) {
        this.logger.warn({ err }, 'shutdown hook failed');
      }
    }
    await this.broker.close();
    await this.store.close();
    this.logger.info('shut down');
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuse(socket: Duplex, status: 403 | 503, reason: string): void {
  const code = status === 403 ? ErrorCode.Forbidden : ErrorCode.Unavailable;
  const body = JSON.stringify({ code: status, error: { code, message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Service Unavailable'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
