/**
 * What application code sees of a gateway: message handlers (MessageContext.gateway), controllers
 * (Controller.gateway), servants. An interface, so that the HTTP and message layers depend on it rather than on the
 * Gateway class that builds them (which would be a cycle); {@link Gateway} implements it.
 */
import type { Broker, PublisherInfo } from '../broker/broker.js';
import type { GatewayConfig } from '../config/options.js';
import type { WirePublication } from '../history/history-store.js';
import type { Logger } from '../logger.js';
import type { RoomStore } from '../store/room-store.js';
import type { ConnId, NodeId, ProcessIndex, RoomId } from '../types.js';
import type { Connection } from './connection.js';
import type { PushResult, PushService } from './push.js';

/** Traffic counters of this process since start. */
export interface GatewayStats {
  connectionsOpened: number;
  messagesIn: number;
  /** Frames written to receivers (one per receiver per push). */
  deliveries: number;
  /** Frames that could not be written (slow consumer or closed). */
  dropped: number;
}

/** Where a history query starts: a publication's position in a channel's stream (Centrifugo `StreamPosition`). */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** A history query (server API `history`): Centrifugo's fields. */
export interface HistoryQuery {
  /** Publications to return at most; absent or 0: none, only the stream position. */
  limit?: number;
  /** Publications after this position. */
  since?: StreamPosition;
  /** Latest first. */
  reverse?: boolean;
}

/** A channel's history, as the server API returns it (Centrifugo `HistoryResult`). */
export interface HistoryPage {
  publications: WirePublication[];
  offset: number;
  epoch: string;
}

/**
 * What the presence and history engines (src/presence, src/history) add to a gateway. Each method is optional:
 * absent, the server API and the client protocol answer "not available" (108); present, it may still reject with a
 * GatewayError NOT_FOUND for a channel that keeps no presence or history (also 108).
 */
export interface ChannelEngines {
  /** Every client subscribed to `channel`, by client id. */
  presence?(channel: RoomId): Promise<Record<string, PublisherInfo>>;
  /** How many clients and distinct users are subscribed to `channel`. */
  presenceStats?(channel: RoomId): Promise<{ numClients: number; numUsers: number }>;
  history?(channel: RoomId, query: HistoryQuery): Promise<HistoryPage>;
  /** Drops the publications of `channel`, keeping its stream position. */
  removeHistory?(channel: RoomId): Promise<void>;
}

export interface GatewayApi extends ChannelEngines {
  readonly config: Readonly<GatewayConfig>;
  readonly logger: Logger;
  readonly store: RoomStore;
  readonly broker: Broker;
  readonly nodeId: NodeId;
  readonly processIndex: ProcessIndex;
  readonly stats: GatewayStats;
  /** The send path with its checks: `push.toRoom(caller, room, message)`, `toAll`, `toConnection`. */
  readonly push: PushService;
  readonly connectionCount: number;
  /** Distinct users (token `sub`, anonymous as one) of this process's Centrifugo connections. */
  readonly userCount: number;
  /** Rooms with at least one member on this process. */
  readonly localRoomCount: number;
  /** When this gateway was built (ms since the epoch), for uptime. */
  readonly startedAt: number;
  connection(id: ConnId): Connection | undefined;
  connections(): IterableIterator<Connection>;
  /** Validates a room name received from a client (BAD_ROOM otherwise). */
  checkRoom(room: unknown): RoomId;
  /**
   * {@link checkRoom} for a room a text or JSON client asks to join: also FORBIDDEN for channels of a configured
   * namespace and `$` channels, which only Centrifugo clients with permission may use.
   */
  checkClientRoom(room: unknown): RoomId;
  /** Validates a message to push (BAD_PARAM when longer than `maxMessageLength`). */
  checkMessage(message: string): string;
  /** Adds a connection to a room; resolves false if it was already there or has closed. */
  join(conn: Connection, room: RoomId): Promise<boolean>;
  /** Removes a connection from a room; resolves false if it was not there. */
  leave(conn: Connection, room: RoomId): Promise<boolean>;
  /** Members of a room as recorded by the room store (all processes sharing it). */
  members(room: RoomId): Promise<ConnId[]>;
  /** Application push to a room (trusted caller; validated). */
  sendToRoom(room: RoomId, message: string): Promise<PushResult>;
  /** Application push to every connection (trusted caller; validated). */
  broadcast(message: string): Promise<void>;
  /** Application push to one connection (trusted caller; validated). */
  sendTo(conn: ConnId, message: string): Promise<void>;
}
