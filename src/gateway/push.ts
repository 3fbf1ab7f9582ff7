/**
 * The send path: push to a room, to everyone, to one connection. Every caller (HTTP push API, WebSocket commands,
 * PushObj, application code) goes through here, so the checks run once and cannot be forgotten: who is asking
 * (the caller is a required argument), then what is sent (room name, message size), then the broker publishes it
 * to every process, whose hub delivers it.
 */
import type { IncomingMessage } from 'node:http';
import type {
  Broker,
  BrokerMessage,
  ControlMessage,
  PresenceEvent,
  PublicationMeta,
  PublisherInfo,
} from '../broker/broker.js';
import { channelRulesOf, type ChannelRules } from '../config/channel-options.js';
import type { GatewayConfig } from '../config/options.js';
import { ErrorCode, GatewayError } from '../errors.js';
import { validateRoomId } from '../store/room-store.js';
import type { ConnId, RoomId } from '../types.js';
import { checkApiKey, checkPushAuth } from './access.js';
import type { Connection } from './connection.js';

/** Who asks for a push. The kind decides the built-in check; policies added with `authorize` see all of it. */
export type PushCaller =
  /** Application code of this process (handlers, timers, servants written by the app): trusted. */
  | { readonly kind: 'server' }
  /** An HTTP request to a push endpoint: needs `pushToken`, or a same-machine caller when none is set. */
  | { readonly kind: 'http'; readonly req: IncomingMessage }
  /** A server API request (`POST /api/...`): needs `apiKey`, or a same-machine caller when none is set. */
  | { readonly kind: 'api'; readonly req: IncomingMessage }
  /** A WebSocket client's command (`sendByRoom`, `broadcast`). */
  | { readonly kind: 'client'; readonly conn: Connection }
  /** A Centrifugo-protocol client's publish; `user` is its token's `sub` ('' when anonymous). */
  | { readonly kind: 'centrifuge'; readonly conn: Connection; readonly user: string }
  /** An operator signed in to the admin dashboard (authenticated by the admin API); `address` is theirs. */
  | { readonly kind: 'admin'; readonly address: string }
  /** A Tars call to PushObj: the servant it was hosted under, the call's Tars context and the caller's address. */
  | {
      readonly kind: 'tars';
      readonly servant: string;
      readonly context?: ReadonlyMap<string, string>;
      readonly remoteAddress?: string;
    };

export const PushCallers = {
  server: { kind: 'server' } as PushCaller,
  http: (req: IncomingMessage): PushCaller => ({ kind: 'http', req }),
  api: (req: IncomingMessage): PushCaller => ({ kind: 'api', req }),
  client: (conn: Connection): PushCaller => ({ kind: 'client', conn }),
  centrifuge: (conn: Connection, user: string): PushCaller => ({ kind: 'centrifuge', conn, user }),
  admin: (address: string): PushCaller => ({ kind: 'admin', address }),
  tars: (servant: string, context?: ReadonlyMap<string, string>, remoteAddress?: string): PushCaller => ({
    kind: 'tars',
    servant,
    context,
    remoteAddress,
  }),
} as const;

/** A push about to be published: its target and message, already validated. */
export type PushRequest = Exclude<BrokerMessage, ControlMessage>;

/** Where a room publication landed in the room's history; empty when the room keeps none or it was not stored. */
export interface PushResult {
  offset?: number;
  epoch?: string;
}

/**
 * Stores a room publication in the room's history and returns its position, or undefined when the room keeps no
 * history. Rejects when the history store is unreachable: the push is then delivered without a position.
 */
export type HistoryAppend = (
  room: RoomId,
  message: string,
  pub: PublicationMeta | undefined,
  idempotencyKey?: string,
) => Promise<{ offset: number; epoch: string; duplicate?: boolean }> | undefined;

/** How a room publication is kept (Centrifugo's publish options). */
export interface PublishOptions {
  /** Not stored in history (live subscribers only). */
  skipHistory?: boolean;
  /** A retry with the same key within the history's window is not published again: the first result is returned. */
  idempotencyKey?: string;
}
/**
 * An extra rule for pushes, run after the built-in checks: throw a {@link GatewayError} (FORBIDDEN, UNAUTHORIZED)
 * to refuse. May be async (a lookup).
 */
export type PushPolicy = (caller: PushCaller, push: PushRequest) => void | Promise<void>;

export class PushService {
  readonly #config: Readonly<GatewayConfig>;
  readonly #broker: Broker;
  readonly #policies: PushPolicy[] = [];
  readonly #channels: ChannelRules;

  #history: HistoryAppend | undefined;
  /** Room publications that could not be stored in history (store unreachable) and went out without a position. */
  notStored = 0;
  /** Told when a publication could not be stored (rate-limited logging is the caller's). */
  onNotStored: ((room: RoomId, err: unknown) => void) | undefined;

  constructor(config: Readonly<GatewayConfig>, broker: Broker) {
    this.#config = config;
    this.#broker = broker;
    this.#channels = channelRulesOf(config);
  }

  /** Gives room publications a history position before they are published (set by the gateway). */
  useHistory(append: HistoryAppend | undefined): this {
    this.#history = append;
    return this;
  }

  /** Adds a rule every push must pass (e.g. only signed-in clients may send to a room). */
  authorize(policy: PushPolicy): this {
    this.#policies.push(policy);
    return this;
  }

  /** Validates a room name received from a caller (BAD_ROOM otherwise). */
  checkRoom(room: unknown): RoomId {
    if (room === undefined) throw new GatewayError(ErrorCode.MissingField, 'a room is required');
    return validateRoomId(room, this.#config.maxRoomNameLength);
  }

  /**
   * {@link checkRoom} for text and JSON clients (`subscribe`, `sendByRoom`): channels of a configured namespace and
   * `$` channels belong to the Centrifugo permission model (`namespaces`), which these clients cannot pass, so they
   * are FORBIDDEN; every other name stays a plain room.
   */
  checkClientRoom(room: unknown): RoomId {
    const id = this.checkRoom(room);
    if (this.#channels.isGuarded(id))
      throw new GatewayError(ErrorCode.Forbidden, `${id} is a Centrifugo channel with permissions`);
    return id;
  }

  /** Validates a message to push (BAD_PARAM when not text or longer than `maxMessageLength`). */
  checkMessage(message: unknown): string {
    if (message === undefined || message === '')
      throw new GatewayError(ErrorCode.MissingField, 'a message is required');
    if (typeof message !== 'string') throw new GatewayError(ErrorCode.BadParam, 'message must be text');
    if (message.length > this.#config.maxMessageLength) {
      throw new GatewayError(
        ErrorCode.BadParam,
        `message is longer than ${this.#config.maxMessageLength} characters`,
      );
    }
    return message;
  }

  /**
   * Sends text to every member of a room, on every process. `pub` travels with it for protocols that show more
   * than the text (`pub.json`: the message is JSON text, given to Centrifugo clients as a value).
   */
  toRoom(
    caller: PushCaller,
    room: unknown,
    message: unknown,
    pub?: PublicationMeta,
    options?: PublishOptions,
  ): Promise<PushResult> {
    return this.#send(caller, options, () => {
      const push: PushRequest = {
        kind: 'room',
        room: caller.kind === 'client' ? this.checkClientRoom(room) : this.checkRoom(room),
        message: this.checkMessage(message),
      };
      if (pub !== undefined) push.pub = pub;
      return push;
    });
  }

  /** Sends text to every open WebSocket connection, on every process. */
  async toAll(caller: PushCaller, message: unknown): Promise<void> {
    await this.#send(caller, undefined, () => ({ kind: 'all', message: this.checkMessage(message) }));
  }

  /** Sends text to one connection, whichever process holds it. */
  async toConnection(caller: PushCaller, conn: ConnId, message: unknown): Promise<void> {
    await this.#send(caller, undefined, () => {
      if (!Number.isSafeInteger(conn) || conn <= 0) {
        throw new GatewayError(
          ErrorCode.BadParam,
          `connection id ${String(conn)} is not a tars-ws connection id`,
        );
      }
      return { kind: 'conn', conn, message: this.checkMessage(message) };
    });
  }

  /**
   * Tells a room's members on every process that someone joined or left it. Server-originated (the gateway calls
   * it on subscribe and unsubscribe of rooms that announce joins), so no caller check.
   */
  announce(room: RoomId, event: PresenceEvent, info: PublisherInfo): Promise<void> {
    return this.#broker.publish({ kind: 'presence', room, event, info });
  }

  /**
   * Sends a server-side operation (subscribe, unsubscribe, disconnect, refresh) to the Centrifugo sessions of a
   * user on every process. Only trusted callers (`server`, `api`) may; push policies are not asked, since it is no
   * push.
   */
  async control(caller: PushCaller, msg: ControlMessage): Promise<void> {
    this.#checkCaller(caller);
    if (caller.kind !== 'server' && caller.kind !== 'api')
      throw new GatewayError(ErrorCode.Forbidden, 'only the server API may control sessions');
    await this.#broker.publish(msg);
  }

  #checkCaller(caller: PushCaller): void {
    if (caller.kind === 'http') checkPushAuth(caller.req, this.#config.pushToken);
    else if (caller.kind === 'api') checkApiKey(caller.req, this.#config.apiKey);
  }

  async #send(
    caller: PushCaller,
    options: PublishOptions | undefined,
    build: () => PushRequest,
  ): Promise<PushResult> {
    // Who asks comes first: an unauthorised caller learns nothing about what would have been valid.
    this.#checkCaller(caller);
    const push = build();
    for (const policy of this.#policies) await policy(caller, push);
    const result: PushResult = {};
    if (push.kind === 'room' && this.#history !== undefined && options?.skipHistory !== true) {
      try {
        // Undefined, not a promise, for a room without history: nothing is awaited on the plain path.
        const pending = this.#history(push.room, push.message, push.pub, options?.idempotencyKey);
        const at = pending === undefined ? undefined : await pending;
        if (at !== undefined) {
          result.offset = at.offset;
          result.epoch = at.epoch;
          if (at.duplicate === true) return result;
          push.pub = { ...push.pub, offset: at.offset, epoch: at.epoch };
        }
      } catch (err) {
        // Live subscribers still get it; only recovery loses it (a client resuming from before it is told so).
        this.notStored++;
        this.onNotStored?.(push.room, err);
      }
    }
    await this.#broker.publish(push);
    return result;
  }
}
