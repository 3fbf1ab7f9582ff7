/**
 * Where rooms live: the room store maps room keys to the connections subscribed to them (the original's FdStore).
 * Every method is async so that out-of-process backends (files, Redis) fit the same interface as the in-memory one.
 * Room keys are validated once at the edge with {@link validateRoomId}; stores accept any string key and keep it exact.
 */
import { ErrorCode, GatewayError } from '../errors.js';
import type { ConnId, RoomId } from '../types.js';

/**
 * Room membership of connections. Implementations: {@link MemoryRoomStore} (one process) and
 * {@link FileRoomStore} (several worker processes on one machine). All of them pass the conformance suite in
 * `test/support/room-store-conformance.ts`.
 */
export interface RoomStore {
  /** Adds conn to room; resolves true if it was not there already. */
  add(room: RoomId, conn: ConnId): Promise<boolean>;
  /** Removes conn from room; true if it was there. An emptied room disappears. */
  remove(room: RoomId, conn: ConnId): Promise<boolean>;
  /** The members of room, each once; [] for unknown rooms. The caller owns the returned array. */
  members(room: RoomId): Promise<ConnId[]>;
  /** The rooms conn is in; [] for unknown connections. */
  roomsOf(conn: ConnId): Promise<RoomId[]>;
  /** Removes conn from every room; resolves the rooms it left. Called when a connection closes. */
  removeConnection(conn: ConnId): Promise<RoomId[]>;
  /** Number of members in room (0 for unknown rooms). */
  count(room: RoomId): Promise<number>;
  /** Every non-empty room. */
  rooms(): Promise<RoomId[]>;
  /** Releases resources (file handles, timers). Waits for operations already started. */
  close(): Promise<void>;
  /**
   * Optional: called once by the gateway with the source of truth for this process's memberships, so a shared
   * store can re-register them after it lost them (a Redis restart).
   */
  attach?(source: MembershipSource): void;
  /** Whether the backend behind it is reachable now (readiness); absent for stores in this process. */
  readonly connected?: boolean;
}

/** This process's current memberships, as the gateway holds them. */
export interface MembershipSource {
  localMemberships(): Iterable<[RoomId, ConnId]>;
}

/** The logging a store needs: pino's `warn(details, message)` shape, so a pino logger can be passed as is. */
export interface RoomStoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Default logger of stores created without one: one line on stderr. */
export const stderrLogger: RoomStoreLogger = {
  warn(details, message) {
    console.warn(`[room-store] ${message} ${JSON.stringify(details)}`);
  },
};

/** Default and upper bound of a room key's length, in characters (Unicode code points). */
export const DEFAULT_MAX_ROOM_LENGTH = 128;

/**
 * Checks a room key received from a client and returns it unchanged, or throws `GatewayError(BAD_ROOM)`.
 * A valid key is a non-empty string of at most `maxLength` characters (code points, so one emoji counts once)
 * without control characters. Keys are not normalised: `room1` and `ROOM1` are different rooms.
 *
 * @example
 * const room = validateRoomId(query.get('roomNum')); // throws for null, '', 'a\nb', ...
 */
export function validateRoomId(room: unknown, maxLength = DEFAULT_MAX_ROOM_LENGTH): RoomId {
  if (typeof room !== 'string') {
    throw new GatewayError(
      ErrorCode.BadRoom,
      `room name must be a string, got ${room === null ? 'null' : typeof room}`,
    );
  }
  if (room.length === 0) throw new GatewayError(ErrorCode.BadRoom, 'room name is empty');
  // Cheap check first: a string can never hold more code points than UTF-16 units.
  if (room.length > maxLength && [...room].length > maxLength) {
    throw new GatewayError(ErrorCode.BadRoom, `room name is longer than ${maxLength} characters`);
  }
  if (hasControlChar(room)) {
    throw new GatewayError(ErrorCode.BadRoom, 'room name contains control characters');
  }
  return room;
}

/**
 * Throws a TypeError unless conn is a non-negative safe integer. Stores call it on every id they receive: the file
 * store puts ids into file names and JSON, where NaN, fractions or huge numbers would corrupt data silently.
 */
export function assertConnId(conn: ConnId): void {
  if (!Number.isSafeInteger(conn) || conn < 0) {
    throw new TypeError(`connection id must be a non-negative safe integer, got ${String(conn)}`);
  }
}

// C0 controls, DEL and C1 controls: invisible in logs and pages, and a classic vector for log/header injection.
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return true;
  }
  return false;
}
