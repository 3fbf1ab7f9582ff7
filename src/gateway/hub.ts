/**
 * The hub of one process: the registry of its open connections, their room memberships, and the fan-out of broker
 * messages to them. Membership has one record per process, kept here only: each connection's `rooms` and the
 * room -> connections index are two views of it, changed together, and the room store (shared by every process)
 * is updated from the same calls. Delivery reads the local view because it must not wait on I/O; queries
 * (members, counts) read the store because it sees every process.
 */
import type { BrokerMessage } from '../broker/broker.js';
import { CloseCode, ErrorCode, GatewayError } from '../errors.js';
import { LogLimiter, type Logger } from '../logger.js';
import type { StreamPosition } from '../history/history-store.js';
import type { OutboundPush, Protocol } from '../protocol/protocol.js';
import type { RoomStore } from '../store/room-store.js';
import type { ConnId, RoomId } from '../types.js';
import type { Connection, Position } from './connection.js';
import { prepareTextFrame, type PreparedFrame } from './frame.js';

/** Marks a protocol that shows nothing for a message (a join/leave to the text protocol). */
const NOTHING: PreparedFrame = prepareTextFrame('');

/** What one delivery reached. */
export interface Delivery {
  /** Frames written to receivers (one per receiver). */
  delivered: number;
  /** Receivers that could not take it (slow consumer, closing). */
  dropped: number;
}

/** A push encoded and framed once for one protocol, and how many receivers it reached. */
interface Encoded {
  readonly protocol: Protocol;
  readonly frame: PreparedFrame;
  delivered: number;
}

export class Hub {
  readonly #conns = new Map<ConnId, Connection>();
  readonly #rooms = new Map<RoomId, Set<Connection>>();
  readonly #store: RoomStore;
  readonly #maxRoomsPerConnection: number;
  readonly #maxHeld: number;
  /** Told once per push and protocol how many receivers it reached (metrics); unset: nothing is counted. */
  onDelivered: ((protocol: string, count: number, bytes: number) => void) | undefined;
  /** Store failures come in floods when the store is down (every close): one line per interval. */
  readonly #log: LogLimiter;

  /** `maxHeld`: pushes a connection may have waiting during one subscribe (see {@link hold}). */
  constructor(store: RoomStore, maxRoomsPerConnection: number, log: Logger, maxHeld = 16_384) {
    this.#store = store;
    this.#maxRoomsPerConnection = maxRoomsPerConnection;
    this.#maxHeld = maxHeld;
    this.#log = new LogLimiter(log);
  }

  get size(): number {
    return this.#conns.size;
  }

  /** Number of rooms with at least one member on this process. */
  get localRoomCount(): number {
    return this.#rooms.size;
  }

  get(id: ConnId): Connection | undefined {
    return this.#conns.get(id);
  }

  connections(): IterableIterator<Connection> {
    return this.#conns.values();
  }

  add(conn: Connection): void {
    this.#conns.set(conn.id, conn);
  }

  /** Whether `conn` is open on this process (not yet seen closing). */
  holds(conn: Connection): boolean {
    return this.#conns.get(conn.id) === conn;
  }

  /** Forgets a closed connection and its memberships, here and (when it ever joined) in the store. */
  remove(conn: Connection): void {
    this.#conns.delete(conn.id);
    for (const room of [...conn.rooms]) this.#unindex(conn, room);
    // Most connections of a push gateway never join a room: spare the store (a Redis script, an IPC round trip,
    // a file lock) a call for them.
    if (conn.everJoined) {
      this.#store.removeConnection(conn.id).catch((err: unknown) => {
        this.#log.warn('store', { conn: conn.id, err }, 'room store: could not remove closed connection');
      });
    }
  }

  /** Every (room, connection) membership held by this process; stores use it to re-register after an outage. */
  *localMemberships(): IterableIterator<[RoomId, ConnId]> {
    for (const [room, members] of this.#rooms) for (const conn of members) yield [room, conn.id];
  }

  /** Adds a connection to a room; resolves false if it was already there or has closed. */
  async join(conn: Connection, room: RoomId): Promise<boolean> {
    // A handler queued behind others may run after the close removed the connection's memberships; joining then
    // would leave them in the store and in the local index for good.
    if (conn.rooms.has(room) || !this.holds(conn)) return false;
    if (conn.rooms.size >= this.#maxRoomsPerConnection) {
      throw new GatewayError(
        ErrorCode.BadRoom,
        `a connection may join at most ${this.#maxRoomsPerConnection} rooms`,
      );
    }
    // The local view changes first so a message handled right after this one already sees the membership.
    conn.rooms.add(room);
    conn.everJoined = true;
    let members = this.#rooms.get(room);
    if (!members) this.#rooms.set(room, (members = new Set()));
    members.add(conn);
    try {
      await this.#store.add(room, conn.id);
    } catch (err) {
      this.#unindex(conn, room);
      throw new GatewayError(ErrorCode.Upstream, 'room store is unavailable', { cause: err });
    }
    if (!this.holds(conn)) {
      // Closed while the store was adding: the close's removeConnection may have run before this add landed.
      await this.#store.remove(room, conn.id).catch((err: unknown) => {
        this.#log.warn(
          'store',
          { conn: conn.id, room, err },
          'room store: could not remove closed connection',
        );
      });
      return false;
    }
    return true;
  }

  /** Removes a connection from a room; resolves false if it was not there. */
  async leave(conn: Connection, room: RoomId): Promise<boolean> {
    if (!this.#unindex(conn, room)) return false;
    try {
      await this.#store.remove(room, conn.id);
    } catch (err) {
      throw new GatewayError(ErrorCode.Upstream, 'room store is unavailable', { cause: err });
    }
    return true;
  }

  /** Delivers a broker message to the receivers this process holds; frames once per protocol in use. */
  deliver(msg: BrokerMessage): Delivery {
    // Control messages go to sessions of a user, not to receivers of a push (see UserSessions).
    if (msg.kind === 'control') return { delivered: 0, dropped: 0 };
    let receivers: Iterable<Connection>;
    let encode: (protocol: Protocol) => string | undefined;
    let room: RoomId | undefined;
    let offset: number | undefined;
    let epoch: string | undefined;
    if (msg.kind === 'presence') {
      room = msg.room;
      receivers = this.#rooms.get(room) ?? [];
      encode = (p) => p.encodePresence?.(msg.room, msg.event, msg.info);
    } else {
      if (msg.kind === 'room') {
        room = msg.room;
        offset = msg.pub?.offset;
        epoch = msg.pub?.epoch;
        receivers = this.#rooms.get(room) ?? [];
      } else if (msg.kind === 'all') receivers = this.#conns.values();
      else {
        const c = this.#conns.get(msg.conn);
        receivers = c ? [c] : [];
      }
      const push: OutboundPush =
        msg.kind === 'room'
          ? msg.pub === undefined
            ? { message: msg.message, room: msg.room }
            : { message: msg.message, room: msg.room, pub: msg.pub }
          : { message: msg.message };
      encode = (p) => p.encodePush(push);
    }
    let dropped = 0;
    let current: Encoded | undefined;
    // Nearly always one protocol per push; the map only grows when pages mix protocols.
    const encoded = new Map<Protocol, Encoded>();
    for (const conn of receivers) {
      if (!conn.receivesBroadcasts) continue;
      if (current?.protocol !== conn.protocol) {
        current = encoded.get(conn.protocol);
        if (!current) {
          const text = encode(conn.protocol);
          current =
            text === undefined
              ? { protocol: conn.protocol, frame: NOTHING, delivered: 0 }
              : { protocol: conn.protocol, frame: prepareTextFrame(text), delivered: 0 };
          encoded.set(conn.protocol, current);
        }
      }
      if (current.frame === NOTHING) continue;
      if (conn.held !== undefined && room !== undefined) {
        const held = conn.held.get(room);
        if (held !== undefined) {
          if (held.length >= this.#maxHeld) {
            conn.held.delete(room);
            conn.close(CloseCode.SlowConsumer, 'slow consumer: too many pushes during a subscribe');
            dropped++;
          } else held.push({ offset, epoch, frame: current.frame });
          continue;
        }
      }
      if (offset !== undefined && conn.positions !== undefined && room !== undefined) {
        const at = conn.positions.get(room);
        if (at !== undefined) {
          if (isSentAlready(at, offset, epoch)) continue;
          if (at.gapClose !== undefined && (epoch ?? '') === at.epoch && offset > at.offset + 1) {
            // A positioned client must not go on with a hole: it reconnects and recovers.
            conn.close(at.gapClose, 'insufficient state');
            dropped++;
            continue;
          }
          moveTo(at, offset, epoch);
        }
      }
      if (conn.sendFrame(current.frame)) current.delivered++;
      else dropped++;
    }
    const result: Delivery = { delivered: 0, dropped };
    for (const e of encoded.values()) {
      result.delivered += e.delivered;
      if (e.delivered > 0) this.onDelivered?.(e.protocol.name, e.delivered, e.delivered * e.frame.length);
    }
    return result;
  }

  /**
   * Holds back the room's pushes to `conn` (it stays a member) until {@link release}: a subscribe that reads the
   * room's history position first holds, then reads, then releases what came after that position, so a push that
   * races the subscribe is neither lost nor sent twice. At most `maxHeld` pushes wait; past that the connection is
   * closed as a slow consumer.
   */
  hold(conn: Connection, room: RoomId): void {
    (conn.held ??= new Map()).set(room, []);
  }

  /**
   * Sends the pushes held for `room` since {@link hold}, in order, skipping those at or below `after` in its epoch
   * (already sent from history); pushes without an offset are all sent. With `after`, the connection is positioned
   * in the room from then on: live publications of that epoch at or below its last offset are not sent again.
   * Returns how many were sent.
   */
  release(conn: Connection, room: RoomId, after?: StreamPosition, gapClose?: number): number {
    const held = conn.held?.get(room);
    if (conn.held !== undefined) {
      conn.held.delete(room);
      if (conn.held.size === 0) conn.held = undefined;
    }
    // A copy: the caller's position object stays as it was; this one moves with what is sent.
    const at: Position | undefined =
      after === undefined ? undefined : { offset: after.offset, epoch: after.epoch };
    let sent = 0;
    for (const h of held ?? []) {
      if (h.offset !== undefined && at !== undefined) {
        if (isSentAlready(at, h.offset, h.epoch)) continue;
        moveTo(at, h.offset, h.epoch);
      }
      if (conn.sendFrame(h.frame)) sent++;
    }
    if (at !== undefined && conn.rooms.has(room)) {
      if (gapClose !== undefined) at.gapClose = gapClose;
      (conn.positions ??= new Map()).set(room, at);
    }
    return sent;
  }

  #unindex(conn: Connection, room: RoomId): boolean {
    if (!conn.rooms.delete(room)) return false;
    conn.held?.delete(room);
    conn.positions?.delete(room);
    const members = this.#rooms.get(room);
    if (members) {
      members.delete(conn);
      if (members.size === 0) this.#rooms.delete(room);
    }
    return true;
  }
}

/**
 * Whether a publication at `offset` of `epoch` was sent already to a connection positioned `at`. Only within one
 * epoch: after the stream was lost (Redis restarted empty, the channel evicted) offsets start at 1 again, and
 * those publications are new, not duplicates.
 */
function isSentAlready(at: StreamPosition, offset: number, epoch: string | undefined): boolean {
  return (epoch ?? '') === at.epoch && offset <= at.offset;
}

/** The connection was sent the publication at `offset` of `epoch` (live or released): its position moves there. */
function moveTo(at: StreamPosition, offset: number, epoch: string | undefined): void {
  at.offset = offset;
  at.epoch = epoch ?? '';
}
