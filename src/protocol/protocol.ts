/**
 * A browser wire protocol: how a text frame becomes a command and how replies, errors and pushes become frames.
 * Handlers only see {@link InboundMessage}s, so a connection's protocol can be chosen per connection
 * (see {@link selectProtocol}) without touching them.
 */
import type { ControlOp, PresenceEvent, PublicationMeta, PublisherInfo } from '../broker/broker.js';
import type { ChannelOptions, ChannelRules } from '../config/channel-options.js';
import type { GatewayError } from '../errors.js';
import type { ReadResult, StreamPosition } from '../history/history-store.js';
import type { RoomId } from '../types.js';

/** A decoded client frame. */
export interface InboundMessage {
  /** The command, e.g. `subscribe`. */
  cmd: string;
  /** The payload: a string for the text protocol, any JSON value for the JSON protocol, undefined when absent. */
  data: unknown;
  /** Correlation id chosen by the client (JSON protocol); echoed in the reply. */
  id?: string | number;
}

/** A message pushed to receivers (room send, broadcast, direct send). */
export interface OutboundPush {
  /** The text to deliver. */
  message: string;
  /** The room it was sent to; absent for broadcasts and direct sends. */
  room?: RoomId;
  /** Publication details of a room push (JSON flag, history position, publisher); text clients ignore them. */
  pub?: PublicationMeta;
}

export interface Protocol {
  /** Name used for negotiation (`Sec-WebSocket-Protocol` or `?protocol=`). */
  readonly name: string;
  /**
   * Parses a text frame. Throws a GatewayError (BAD_PAYLOAD when the frame cannot be read, MISSING_FIELD when a
   * required part is missing) and nothing else, whatever the string.
   */
  decode(frame: string): InboundMessage;
  /** The frame answering `msg` with a handler's reply text. */
  encodeReply(msg: InboundMessage, reply: string): string;
  /**
   * Optional: the frame answering `msg` with a JSON value (history, presence). Protocols without it (text) are not
   * offered the commands that answer so (see MessageRouter `results`): their pages see nothing new.
   */
  encodeResult?(msg: InboundMessage, data: unknown): string;
  /** The frame telling the sender that `msg` (undefined when it could not be decoded) failed. */
  encodeError(msg: InboundMessage | undefined, err: GatewayError): string;
  /**
   * The frame a receiver gets for a push. Called once per push, not once per receiver, so the text depends on the
   * push's `message`, `room` and `pub` only. Conformance: test/support/protocol-conformance.ts.
   */
  encodePush(push: OutboundPush): string;
  /**
   * The frame a member of `room` gets when someone joins or leaves it (rooms that announce it); protocols without
   * it show nothing. Called once per event, like {@link encodePush}.
   */
  encodePresence?(room: RoomId, event: PresenceEvent, info: PublisherInfo): string;
  /**
   * Whether one frame may carry several messages separated by `\n` (Centrifugo's JSON format): the connection then
   * joins the messages of a burst into fewer frames (`centrifugeMaxMessagesInFrame`). Encoded messages must not
   * contain a raw newline.
   */
  readonly joinsFrames?: boolean;
  /** When present, the connection's frames go to this session instead of the command table. */
  openSession?(host: SessionHost): Session;
}

/** Gateway settings a session reads (from the config). */
export interface SessionSettings {
  /** Keys of tokens; '' for none. */
  readonly tokenHmacSecretKey: string;
  readonly tokenRsaPublicKey: string;
  readonly tokenEcdsaPublicKey: string;
  readonly tokenJwksUrl: string;
  /** Required `aud` and `iss` of tokens; '' = not checked. */
  readonly tokenAudience: string;
  readonly tokenIssuer: string;
  /** `auto`: when no key is configured. */
  readonly allowAnonymousConnect: 'auto' | 'true' | 'false';
  readonly pingIntervalMs: number;
  /** Grace after an expiry before the connection is closed (3005) or the subscription ended (2501). */
  readonly expiredCloseDelayMs: number;
  readonly maxChannelLength: number;
  /** Most channels one connection may subscribe to (106). */
  readonly maxChannels: number;
  /** Most publications a history reply or a recovery returns. */
  readonly maxPublicationLimit: number;
  /** Longest `data` of publish, rpc and send, in characters of its JSON text (106); read at use time. */
  readonly maxDataLength: number;
  /** Command token bucket: refill per second (0 = no limit) and size. */
  readonly commandRate: number;
  readonly commandBurst: number;
  /** Error token bucket: refill per second and size (0 = never closed for errors). */
  readonly errorRate: number;
  readonly errorBurst: number;
  /** Namespaces and channel defaults. */
  readonly channels: ChannelRules;
}

/**
 * What a protocol with its own per-connection session (see {@link Protocol.openSession}) may do with its
 * connection: the gateway implements it, so the protocol layer never imports the gateway.
 */
export interface SessionHost {
  readonly connId: number;
  readonly settings: SessionSettings;
  /**
   * The client's connect succeeded, as user `sub` ('' anonymous) with its connection `info` (token claim):
   * broadcasts reach it from now on.
   */
  connected(sub: string, info?: unknown): void;
  /** Sends one text frame; false when the connection is closed or too slow. */
  send(text: string): boolean;
  close(code: number, reason: string): void;
  /**
   * Joins a room (hub.join): the connection starts receiving its pushes, and counts in the room's presence (with
   * join pushes) when `membership.options` (default: the channel's) keep it.
   */
  join(room: RoomId, membership?: { options?: ChannelOptions; chanInfo?: unknown }): Promise<boolean>;
  leave(room: RoomId): Promise<boolean>;
  /** Reads a room's history (GatewayError NOT_FOUND when it keeps none; EngineUnavailableError when down). */
  history(
    room: RoomId,
    query: { since?: StreamPosition; limit?: number; reverse?: boolean },
  ): Promise<ReadResult>;
  /** Who is in a room that keeps presence, by client id (NOT_FOUND when it keeps none). */
  presence(room: RoomId): Promise<Record<string, PublisherInfo>>;
  presenceStats(room: RoomId): Promise<{ numClients: number; numUsers: number }>;
  /**
   * Publishes a message to a room through the send path, as this client; `pub.json` marks `message` as JSON text
   * (a non-string SDK publish), which text clients receive as that text.
   */
  publish(room: RoomId, message: string, pub?: PublicationMeta): Promise<{ offset?: number; epoch?: string }>;
  /**
   * Holds back the room's pushes to this connection until {@link release} (a subscribe reading the history
   * position in between); release sends those with an offset above `after` (or of another epoch), or without one,
   * in order. With `gapClose`, a later publication that skips an offset of that epoch closes the connection with
   * that code instead of being sent (a positioned subscription).
   */
  hold(room: RoomId): void;
  release(room: RoomId, after?: StreamPosition, gapClose?: number): void;
  /** Tells every member of `room`, on every process, that `info` joined or left it. */
  announce(room: RoomId, event: PresenceEvent, info: PublisherInfo): Promise<void>;
  /** Runs the application's RPC handler; rejects with a GatewayError NOT_FOUND when none is registered. */
  rpc(method: string, data: unknown): Promise<unknown>;
  /** Hands a fire-and-forget message to the application. */
  message(data: unknown): void;
}

/** A connection's state machine for protocols that handle frames, replies and lifecycle themselves. */
export interface Session {
  frame(text: string): void;
  closed(): void;
  /**
   * A server-side operation from the server API (subscribe, unsubscribe, disconnect, refresh), for sessions of a
   * user (see {@link SessionHost.connected}); applied after the commands already received.
   */
  control?(op: ControlOp): void;
  /**
   * Optional: the server is draining. The session tells its client in its own protocol that it may reconnect
   * (elsewhere) and closes; without it the gateway closes the connection with 1001.
   */
  shutdown?(): void;
}
