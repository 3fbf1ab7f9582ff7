/**
 * What application code sees of a gateway: message handlers (MessageContext.gateway), controllers
 * (Controller.gateway), servants. An interface, so that the HTTP and message layers depend on it rather than on the
 * Gateway class that builds them (which would be a cycle); {@link Gateway} implements it.
 */
import type { Broker } from '../broker/broker.js';
import type { GatewayConfig } from '../config/options.js';
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

export interface GatewayApi {
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
  connection(id: ConnId): Connection | undefined;
  connections(): IterableIterator<Connection>;
  /** Validates a room name received from a client (BAD_ROOM otherwise). */
  checkRoom(room: unknown): RoomId;
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
