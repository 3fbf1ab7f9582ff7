/**
 * The gateway façade: wires the HTTP + WebSocket server on one port, the browser protocols, the hub (connections,
 * memberships, fan-out), the send path (checks, then the broker), the room store and the broker. The same code
 * works with one process, several workers or several machines: only the store and broker behind it change.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LocalBroker } from '../broker/broker-local.js';
import type { Broker, PublisherInfo } from '../broker/broker.js';
import { channelRulesOf, type ChannelOptions } from '../config/channel-options.js';
import type { GatewayConfig } from '../config/options.js';
import { CloseCode, ErrorCode, GatewayError } from '../errors.js';
import type { HistoryStore, ReadResult, StreamPosition } from '../history/history-store.js';
import type { ControllerClass } from '../http/controller.js';
import { HttpRouter, type RouteHandler } from '../http/router.js';
import { createLogger, LogLimiter, type Logger } from '../logger.js';
import { PROTOCOLS, selectProtocol, SUBPROTOCOL_PREFIX } from '../protocol/index.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { InboundMessage, Protocol, SessionHost, SessionSettings } from '../protocol/protocol.js';
import type { RoomStore } from '../store/room-store.js';
import {
  connIdBase,
  MAX_PROCESS_INDEX,
  type ConnId,
  type NodeId,
  type ProcessIndex,
  type RoomId,
} from '../types.js';
import { sameOrigin } from './access.js';
import type { GatewayApi, GatewayStats, HistoryPage, HistoryQuery } from './api.js';
import { memoryHistoryStore, openCoreBackends, type BackendOpener } from './backends.js';
import { MemoryPresenceStore } from '../presence/presence-store-memory.js';
import { Connection } from './connection.js';
import { readiness } from './health.js';
import { Hub } from './hub.js';
import { ConnectionLimits, createListener, refuseSocket } from './listener.js';
import { MessageContext, MessageRouter, type HandlerOptions, type MessageHandler } from './messages.js';
import type { GatewayObserver } from './observer.js';
import { ChannelState, type Membership } from './channel-state.js';
import { PushCallers, PushService, type PushPolicy, type PushResult } from './push.js';
import { mountServerApi } from '../http/server-api.js';
import { UserSessions } from './user-sessions.js';

export type { GatewayObserver, GatewayStats };

/** Answers a Centrifugo `rpc` command: gets its data, returns the reply's data (any JSON value). */
export type RpcHandler = (data: unknown, conn: Connection) => unknown;
/** Receives a Centrifugo `send` command's data. */
export type SendHandler = (data: unknown, conn: Connection) => void;

export interface GatewayDeps {
  logger?: Logger;
  /** Room store; default: opened from `config.roomStore`. */
  store?: RoomStore;
  /** Fan-out between processes; default: {@link LocalBroker}. */
  broker?: Broker;
  /** Channel histories; default: opened from `config.historyEngine` (memory: a MemoryHistoryStore). */
  history?: HistoryStore;
  /** Channel presence; default: opened from `config.presenceEngine` (memory: a MemoryPresenceStore). */
  presence?: PresenceStore;
  /** This process's number in a multi-process deployment (connection ids derive from it); default 0. */
  processIndex?: ProcessIndex;
  /** This process's name in logs and stores; default `p<processIndex>`. */
  nodeId?: NodeId;
}

interface GatewayEvents {
  open: [conn: Connection];
  close: [conn: Connection, code: number, reason: string];
  /** A connection was closed with 4008 because its unsent buffer passed `maxBufferedBytes`. */
  slowConsumer: [conn: Connection];
}

export class Gateway extends EventEmitter<GatewayEvents> implements GatewayApi {
  readonly config: Readonly<GatewayConfig>;
  readonly logger: Logger;
  readonly store: RoomStore;
  readonly broker: Broker;
  /**
   * Channel histories (offsets, epochs, recovery): the engine `historyEngine` names, shared as configured. Named
   * `...Store` because `history()`/`presence()` are the ChannelEngines methods of GatewayApi, built on these.
   */
  readonly historyStore: HistoryStore;
  /** Who is in which channel: the engine `presenceEngine` names. */
  readonly presenceStore: PresenceStore;
  readonly nodeId: NodeId;
  readonly processIndex: ProcessIndex;
  readonly stats: GatewayStats = { connectionsOpened: 0, messagesIn: 0, deliveries: 0, dropped: 0 };
  readonly push: PushService;
  readonly startedAt = Date.now();

  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #router: HttpRouter;
  readonly #messages = new MessageRouter();
  readonly #rpcHandlers = new Map<string, RpcHandler>();
  readonly #sessionSettings: SessionSettings;
  #sendHandler: SendHandler | undefined;
  readonly #hub: Hub;
  readonly #users = new UserSessions();
  /** History and presence of channels, as their options say. */
  readonly #channels: ChannelState;
  readonly #limits: ConnectionLimits;
  /** Lines about one connection or client address: rate-limited, so traffic cannot become log volume. */
  readonly #limitedLog: LogLimiter;
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
    const logger = deps.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
    const opened = await Gateway.#openBackends(config, logger, {
      store: deps.store,
      broker: deps.broker,
      history: deps.history,
      presence: deps.presence,
    });
    return new Gateway(config, {
      processIndex: opened.processIndex,
      ...deps,
      logger,
      store: opened.store,
      broker: opened.broker,
      history: opened.history,
      presence: opened.presence,
    });
  }

  constructor(config: Readonly<GatewayConfig>, deps: GatewayDeps & { store: RoomStore }) {
    super();
    this.config = config;
    this.logger = deps.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
    this.store = deps.store;
    this.broker = deps.broker ?? new LocalBroker();
    this.historyStore = deps.history ?? memoryHistoryStore(config);
    this.presenceStore = deps.presence ?? new MemoryPresenceStore();
    this.processIndex = deps.processIndex ?? 0;
    if (
      !Number.isSafeInteger(this.processIndex) ||
      this.processIndex < 0 ||
      this.processIndex > MAX_PROCESS_INDEX
    ) {
      throw new RangeError(`processIndex must be an integer from 0 to ${MAX_PROCESS_INDEX}`);
    }
    this.nodeId = deps.nodeId ?? `p${this.processIndex}`;
    this.#hub = new Hub(this.store, config.maxRoomsPerConnection, this.logger, config.maxQueuedMessages);
    this.push = new PushService(config, this.broker);
    this.#nextId = connIdBase(this.processIndex) + 1;
    this.#defaultProtocol = PROTOCOLS.get(config.defaultProtocol) ?? PROTOCOLS.values().next().value!;
    this.#origins = parseOrigins(config.allowedOrigins);
    this.#limitedLog = new LogLimiter(this.logger);
    this.#sessionSettings = {
      tokenHmacSecretKey: config.tokenHmacSecretKey,
      tokenRsaPublicKey: config.tokenRsaPublicKey,
      tokenEcdsaPublicKey: config.tokenEcdsaPublicKey,
      tokenJwksUrl: config.tokenJwksUrl,
      tokenAudience: config.tokenAudience,
      tokenIssuer: config.tokenIssuer,
      allowAnonymousConnect: config.allowAnonymousConnect as SessionSettings['allowAnonymousConnect'],
      pingIntervalMs: config.centrifugePingIntervalMs,
      expiredCloseDelayMs: config.centrifugeExpiredCloseDelayMs,
      maxChannelLength: config.maxRoomNameLength,
      maxChannels: config.maxRoomsPerConnection,
      maxPublicationLimit: config.centrifugeMaxPublicationLimit,
      // A live option (tars.loadconfig): read at use time.
      get maxDataLength() {
        return config.maxMessageLength;
      },
      commandRate: config.centrifugeCommandRate,
      commandBurst: config.centrifugeCommandBurst,
      errorRate: config.centrifugeErrorRate,
      errorBurst: config.centrifugeErrorBurst,
      channels: channelRulesOf(config),
    };
    this.#channels = new ChannelState(
      this.#sessionSettings.channels,
      this.historyStore,
      this.presenceStore,
      (room, event, info) => this.push.announce(room, event, info),
      this.logger,
    );
    this.push.useHistory(this.#channels.append);
    this.push.onNotStored = (room, err) =>
      this.#limitedLog.warn(
        'history',
        { room, err: (err as Error).message },
        'history: publication delivered but not stored',
      );
    this.#limits = new ConnectionLimits(config, this.#limitedLog);
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
    this.#router.route('/healthz', () => ({ status: 'ok' }));
    this.#router.route('/readyz', ({ res }) => {
      const report = readiness(this);
      res.statusCode = report.ready ? 200 : 503;
      return report;
    });
    this.#http = createListener(config, this.#limits, this.#limitedLog, {
      request: (req, res) => void this.#router.handle(req, res),
      upgrade: (req, socket, head) => this.#upgrade(req, socket, head),
    });
    mountServerApi(this.#router);
    this.broker.subscribe((msg) => {
      if (msg.kind === 'control') {
        this.#users.apply(msg);
        return;
      }
      const { delivered, dropped } = this.#hub.deliver(msg);
      this.stats.deliveries += delivered;
      this.stats.dropped += dropped;
    });
    this.store.attach?.(this);
  }

  // ---- application API ------------------------------------------------------------------------------------------

  /**
   * Registers the handler of a command; with `{results: true}` it is offered to protocols with JSON replies only
   * (the handler answers with `ctx.result(value)`), the others see the fallback.
   */
  onMessage(cmd: string, handler: MessageHandler, options?: HandlerOptions): this {
    this.#messages.on(cmd, handler, options);
    return this;
  }

  /** Registers the handler of commands nobody else handles. */
  onOtherMessage(handler: MessageHandler): this {
    this.#messages.otherwise(handler);
    return this;
  }

  /** Registers the handler of a Centrifugo `rpc` command with this method; its result is the reply's data. */
  onRpc(method: string, handler: RpcHandler): this {
    this.#rpcHandlers.set(method, handler);
    return this;
  }

  /** Registers the handler of Centrifugo `send` commands (fire and forget). */
  onSend(handler: SendHandler): this {
    this.#sendHandler = handler;
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
        if (this.#origins === '*') {
          this.logger.warn(
            'allowedOrigins is "*": pages of any site can open WebSockets to this gateway and read its rooms',
          );
        }
        if (this.config.pushToken === '') {
          this.logger.warn(
            'push API accepts loopback callers only: set PUSH_TOKEN to allow remote callers with a token',
          );
        }
        if (this.config.apiKey === '') {
          this.logger.warn(
            'server API (/api) accepts loopback callers only: set API_KEY to allow remote callers with a key',
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
    return this.#hub.size;
  }

  get userCount(): number {
    return this.#users.userCount;
  }

  /** Rooms with at least one member on this process. */
  get localRoomCount(): number {
    return this.#hub.localRoomCount;
  }

  connection(id: ConnId): Connection | undefined {
    return this.#hub.get(id);
  }

  connections(): IterableIterator<Connection> {
    return this.#hub.connections();
  }

  /** Every (room, connection) membership held by this process; stores use it to re-register after an outage. */
  localMemberships(): IterableIterator<[RoomId, ConnId]> {
    return this.#hub.localMemberships();
  }

  checkRoom(room: unknown): RoomId {
    return this.push.checkRoom(room);
  }

  checkClientRoom(room: unknown): RoomId {
    return this.push.checkClientRoom(room);
  }

  checkMessage(message: string): string {
    return this.push.checkMessage(message);
  }

  /** Adds a connection to a room; it counts in the room's presence when `membership.options` (default: the channel's) keep it. */
  async join(conn: Connection, room: RoomId, membership?: Partial<Membership>): Promise<boolean> {
    const joined = await this.#hub.join(conn, room);
    if (joined) await this.#channels.joined(conn, room, membership);
    return joined;
  }

  async leave(conn: Connection, room: RoomId): Promise<boolean> {
    const left = await this.#hub.leave(conn, room);
    if (left) await this.#channels.left(conn, room);
    return left;
  }

  /** Who is in a channel that keeps presence (GatewayApi's ChannelEngines: the server API's `presence`). */
  presence(channel: RoomId): Promise<Record<string, PublisherInfo>> {
    return this.#channels.presence(channel);
  }

  presenceStats(channel: RoomId): Promise<{ numClients: number; numUsers: number }> {
    return this.#channels.presenceStats(channel);
  }

  /** A channel's history (the server API's `history`); NOT_FOUND when it keeps none. */
  history(channel: RoomId, query: HistoryQuery): Promise<HistoryPage> {
    return this.#channels.historyPage(channel, query);
  }

  removeHistory(channel: RoomId): Promise<void> {
    return this.#channels.removeHistory(channel);
  }

  /** A room's or channel's options (history, presence, ...); undefined for a channel of an unknown namespace. */
  channelOptions(room: RoomId): ChannelOptions | undefined {
    return this.#channels.optionsOf(room);
  }

  /** Reads a room's history as the engine keeps it (NOT_FOUND when it keeps none; EngineUnavailableError). */
  readHistory(
    room: RoomId,
    query: { since?: StreamPosition; limit?: number; reverse?: boolean },
  ): Promise<ReadResult> {
    return this.#channels.read(room, query);
  }

  /**
   * Holds back the room's pushes to `conn` until {@link releasePushes}, for a subscribe that reads the history in
   * between (Hub.hold): a push racing it is neither lost nor sent twice.
   */
  holdPushes(conn: Connection, room: RoomId): void {
    this.#hub.hold(conn, room);
  }

  /** Sends the held pushes above position `after` (or without one), and positions `conn` there (Hub.release). */
  releasePushes(conn: Connection, room: RoomId, after?: StreamPosition): void {
    this.#hub.release(conn, room, after);
  }

  members(room: RoomId): Promise<ConnId[]> {
    return this.store.members(room);
  }

  sendToRoom(room: RoomId, message: string): Promise<PushResult> {
    return this.push.toRoom(PushCallers.server, room, message);
  }

  broadcast(message: string): Promise<void> {
    return this.push.toAll(PushCallers.server, message);
  }

  sendTo(conn: ConnId, message: string): Promise<void> {
    return this.push.toConnection(PushCallers.server, conn, message);
  }

  /** Adds a rule every push must pass, whoever sends it (see {@link PushService.authorize}). */
  authorizePush(policy: PushPolicy): this {
    this.push.authorize(policy);
    return this;
  }

  /** The observer set by {@link observe}, if any (to compose another with it). */
  get observer(): GatewayObserver | undefined {
    return this.#observer;
  }

  /** Sets the one observer of this gateway's traffic (statistics). */
  observe(observer: GatewayObserver | undefined): this {
    this.#observer = observer;
    this.#router.observer = observer;
    this.#hub.onDelivered = observer?.delivered?.bind(observer);
    return this;
  }

  /** Runs `hook` during {@link close}, after the clients are gone (to close RPC proxies, timers, ...). */
  atShutdown(hook: () => Promise<void> | void): this {
    this.#shutdownHooks.push(hook);
    return this;
  }

  /** True once {@link close} began: `/readyz` answers 503 and new WebSockets are refused. */
  get draining(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Drains and stops: `/readyz` turns 503 at once (a load balancer stops sending clients), the clients are closed
   * with 1001 in batches spread over `drainMs` (so they reconnect elsewhere without a thundering herd), those still
   * open `shutdownGraceMs` later are cut, then the listener, the broker, the store, history and presence close. Safe to call more
   * than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = req.socket.remoteAddress ?? '';
    if (this.#closing) {
      return refuseSocket(socket, new GatewayError(ErrorCode.Unavailable, 'server is shutting down'));
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#originAllowed(origin, req.headers.host)) {
      this.#limitedLog.debug(address, { origin, address }, 'connection refused: origin not allowed');
      return refuseSocket(socket, new GatewayError(ErrorCode.Forbidden, 'origin not allowed'));
    }
    if (this.#hub.size >= this.config.maxConnections) {
      this.#limitedLog.warn(
        'max',
        { limit: this.config.maxConnections },
        'connection refused: maxConnections reached',
      );
      return refuseSocket(socket, new GatewayError(ErrorCode.Unavailable, 'too many connections'));
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#limits.upgraded(socket);
      this.#accept(ws, req);
    });
  }

  /** Same origin (a page served by this gateway), or listed in `allowedOrigins`, or any with `*`. */
  #originAllowed(origin: string, host: string | undefined): boolean {
    return this.#origins === '*' || this.#origins.has(origin) || sameOrigin(origin, host);
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const offered = new Set(ws.protocol === '' ? [] : [ws.protocol]);
    const protocol = selectProtocol(req, offered, this.#defaultProtocol);
    const limits = {
      maxBufferedBytes: this.config.maxBufferedBytes,
      maxMessagesInFrame: this.config.centrifugeMaxMessagesInFrame,
    };
    const conn = new Connection(this.#nextId++, ws, req, protocol, limits, (slow) => {
      this.#limitedLog.warn(
        slow.remoteAddress,
        { conn: slow.id, address: slow.remoteAddress, buffered: slow.bufferedAmount },
        'slow consumer closed with 4008',
      );
      this.emit('slowConsumer', slow);
    });
    if (protocol.openSession) {
      conn.receivesBroadcasts = false;
      conn.session = protocol.openSession(this.#sessionHost(conn));
    }
    this.#hub.add(conn);
    this.stats.connectionsOpened++;
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.awaitingPong = false));
    ws.on('error', (err) => {
      // ws has already chosen the close code (1009 too big, 1007 bad UTF-8, 1002 protocol error): rejected input.
      this.#limitedLog.debug(
        conn.remoteAddress,
        { conn: conn.id, err: err.message },
        'websocket error, closing',
      );
    });
    ws.on('close', (code, reason) => this.#onClose(conn, code, reason.toString()));
    this.logger.debug(
      { conn: conn.id, ip: conn.remoteAddress, protocol: protocol.name },
      'connection opened',
    );
    this.emit('open', conn);
  }

  #onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    if (!conn.isOpen) return;
    this.stats.messagesIn++;
    if (isBinary) {
      this.#replyError(
        conn,
        undefined,
        new GatewayError(ErrorCode.BadPayload, 'binary frames are not supported'),
      );
      return;
    }
    if (conn.session) return conn.session.frame(rawToString(data));
    let msg: InboundMessage;
    try {
      msg = conn.protocol.decode(rawToString(data));
    } catch (err) {
      this.#replyError(conn, undefined, err);
      return;
    }
    const handler = this.#messages.get(msg.cmd, conn.protocol);
    if (!handler) return;
    if (conn.pending >= this.config.maxQueuedMessages) {
      // Reading is paused long before this; only frames already read when it paused can get here.
      this.#limitedLog.warn(
        conn.remoteAddress,
        { conn: conn.id, pending: conn.pending },
        'too many messages awaiting handling, closing with 1008',
      );
      conn.close(CloseCode.PolicyViolation, 'too many messages in flight');
      return;
    }
    // Handlers of one connection run one after the other, so `subscribe` completes before the next frame.
    conn.pending++;
    // A sender faster than its handlers is slowed by TCP instead of being cut: stop reading its socket.
    if (conn.pending >= this.config.maxPendingMessages) conn.pauseReading();
    const pipelined = this.#messages.isPipelined(msg.cmd);
    conn.chain = conn.chain
      .then(() => {
        const before = conn.replied;
        // A pipelined handler starts now, while earlier ones may still wait on I/O; any other waits for them all.
        const done = pipelined
          ? this.#runHandler(conn, msg, handler, before)
          : before.then(() => this.#runHandler(conn, msg, handler));
        conn.replied = done;
        return pipelined ? undefined : done;
      })
      .catch((err: unknown) => this.logger.error({ conn: conn.id, err }, 'message handling failed'));
  }

  /** Runs one handler; its reply (or error) goes out once `before` (the earlier handlers' replies) settled. */
  async #runHandler(
    conn: Connection,
    msg: InboundMessage,
    handler: MessageHandler,
    before?: Promise<void>,
  ): Promise<void> {
    const observer = this.#observer;
    const started = observer ? performance.now() : 0;
    let ok = true;
    try {
      const reply = await handler(new MessageContext(this, conn, msg));
      if (before) await before;
      if (typeof reply === 'string') conn.send(conn.protocol.encodeReply(msg, reply));
    } catch (err) {
      ok = false;
      if (before) await before;
      this.#replyError(conn, msg, err);
    } finally {
      conn.pending--;
      // Resume at half, not at the limit: one resume per half-queue of messages rather than one per message.
      if (conn.readingPaused && conn.pending <= this.config.maxPendingMessages >> 1) conn.resumeReading();
      observer?.message?.(msg.cmd, ok, performance.now() - started, conn.protocol.name);
    }
  }

  #replyError(conn: Connection, msg: InboundMessage | undefined, err: unknown): void {
    const gwErr =
      err instanceof GatewayError
        ? err
        : new GatewayError(ErrorCode.Internal, 'internal server error', { cause: err });
    if (gwErr.code === ErrorCode.Internal)
      this.#limitedLog.warn(conn.remoteAddress, { conn: conn.id, cmd: msg?.cmd, err }, 'handler failed');
    else
      this.#limitedLog.debug(
        conn.remoteAddress,
        { conn: conn.id, cmd: msg?.cmd, code: gwErr.code, reason: gwErr.message },
        'message rejected',
      );
    conn.send(conn.protocol.encodeError(msg, gwErr));
  }

  #sessionHost(conn: Connection): SessionHost {
    let user = '';
    return {
      connId: conn.id,
      settings: this.#sessionSettings,
      connected: (sub, info) => {
        user = sub;
        this.#users.add(conn, sub);
        conn.user = sub;
        conn.connInfo = info;
        conn.receivesBroadcasts = true;
      },
      send: (text) => conn.send(text),
      close: (code, reason) => conn.close(code, reason),
      join: (room, membership) => this.join(conn, room, membership),
      leave: (room) => this.leave(conn, room),
      history: (room, query) => this.#channels.read(room, query),
      presence: (room) => this.#channels.presence(room),
      presenceStats: (room) => this.#channels.presenceStats(room),
      publish: (room, message, pub) =>
        this.push.toRoom(PushCallers.centrifuge(conn, user), room, message, pub),
      hold: (room) => this.#hub.hold(conn, room),
      release: (room, after, gapClose) => void this.#hub.release(conn, room, after, gapClose),
      announce: (room, event, info) => this.push.announce(room, event, info),
      rpc: async (method, data) => {
        const handler = this.#rpcHandlers.get(method);
        if (!handler) throw new GatewayError(ErrorCode.NotFound, `no rpc method ${method}`);
        return handler(data, conn);
      },
      message: (data) => this.#sendHandler?.(data, conn),
    };
  }

  #onClose(conn: Connection, code: number, reason: string): void {
    conn.session?.closed();
    this.#channels.closed(conn);
    this.#hub.remove(conn);
    this.#users.remove(conn);
    this.logger.debug({ conn: conn.id, code, reason }, 'connection closed');
    this.emit('close', conn, code, reason);
  }

  #startHeartbeat(): void {
    const every = this.config.heartbeatIntervalMs;
    if (every === 0) return;
    this.#heartbeat = setInterval(() => {
      for (const conn of this.#hub.connections()) {
        // A connection we stopped reading cannot have read its pong: our own back-pressure is not its fault.
        if (conn.readingPaused) continue;
        if (conn.awaitingPong) {
          this.logger.debug({ conn: conn.id }, 'no pong since last ping, terminating');
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
      { connections: this.#hub.size, drainMs: this.config.drainMs, graceMs: this.config.shutdownGraceMs },
      'draining',
    );
    const allClosed = new Promise<void>((resolve) => {
      if (this.#hub.size === 0) return resolve();
      const onClose = (): void => {
        if (this.#hub.size === 0) {
          this.off('close', onClose);
          resolve();
        }
      };
      this.on('close', onClose);
    });
    // Their handlers may outlive them (a close does not stop a handler awaiting the store): wait for those below.
    const clients = [...this.#hub.connections()];
    // The listener stays open while draining, so probes see /readyz answer 503 (upgrades are refused with 503).
    // A protocol with its own goodbye (Centrifugo's disconnect push, 3001) says it; the others get 1001.
    await drainInBatches(clients, this.config.drainMs, (conn) =>
      conn.session?.shutdown
        ? conn.session.shutdown()
        : conn.close(CloseCode.GoingAway, 'server shutting down'),
    );
    const httpClosed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs)),
    );
    if ((await Promise.race([allClosed, grace])) === 'timeout') {
      this.logger.warn({ left: this.#hub.size }, 'shutdown grace elapsed, cutting remaining connections');
      for (const conn of this.#hub.connections()) conn.terminate();
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
    await Promise.all([this.historyStore.close(), this.presenceStore.close()]);
    this.logger.info('shut down');
  }
}

/** Pause between two drain batches: short enough for small gateways to drain fast, long enough to spread. */
const DRAIN_STEP_MS = 100;

/** Calls `close` on every item, in batches spread evenly over `drainMs` (all at once when it is 0). */
async function drainInBatches<T>(
  items: readonly T[],
  drainMs: number,
  close: (item: T) => void,
): Promise<void> {
  const batches = Math.max(1, Math.min(items.length, Math.floor(drainMs / DRAIN_STEP_MS)));
  const size = Math.ceil(items.length / batches);
  const step = batches > 1 ? drainMs / batches : 0;
  for (let b = 0; b < batches; b++) {
    if (b > 0) await new Promise((resolve) => setTimeout(resolve, step));
    for (const item of items.slice(b * size, (b + 1) * size)) close(item);
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** `*`, or the set of listed origins (empty: same origin only). */
function parseOrigins(value: string): ReadonlySet<string> | '*' {
  if (value.trim() === '*') return '*';
  return new Set(
    value
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  );
}
