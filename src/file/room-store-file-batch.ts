/**
 * One batch of {@link FileRoomStore} write operations, run under one hold of the store lock: each file is loaded at
 * most once, later operations see the changes of earlier ones, and the store writes the result once at the end.
 */
import type { ConnId, RoomId } from '../types.js';

/** The room and index files one batch reads and changes, in memory until the store commits them. */
export class Batch {
  readonly #members = new Map<RoomId, ConnId[]>();
  readonly #changedRooms = new Set<RoomId>();
  readonly #indexes = new Map<ConnId, { before: RoomId[]; after: RoomId[] }>();
  readonly #loadRoom: (room: RoomId) => Promise<ConnId[]>;
  readonly #loadIndex: (conn: ConnId) => Promise<RoomId[]>;

  constructor(loadRoom: (room: RoomId) => Promise<ConnId[]>, loadIndex: (conn: ConnId) => Promise<RoomId[]>) {
    this.#loadRoom = loadRoom;
    this.#loadIndex = loadIndex;
  }

  async members(room: RoomId): Promise<ConnId[]> {
    let members = this.#members.get(room);
    if (members === undefined) {
      members = await this.#loadRoom(room);
      this.#members.set(room, members);
    }
    return members;
  }

  async roomsOf(conn: ConnId): Promise<RoomId[]> {
    let index = this.#indexes.get(conn);
    if (index === undefined) {
      const rooms = await this.#loadIndex(conn);
      index = { before: rooms, after: rooms };
      this.#indexes.set(conn, index);
    }
    return index.after;
  }

  /** Replaces a room's members; the room must have been read through this batch. */
  setMembers(room: RoomId, members: ConnId[]): void {
    this.#members.set(room, members);
    this.#changedRooms.add(room);
  }

  /** Replaces a connection's rooms; the connection must have been read through this batch. */
  setRoomsOf(conn: ConnId, rooms: RoomId[]): void {
    const index = this.#indexes.get(conn);
    if (index === undefined) throw new Error(`connection ${conn} changed before it was read`);
    index.after = rooms;
  }

  changedRooms(): Array<[RoomId, ConnId[]]> {
    return [...this.#changedRooms].map((room) => [room, this.#members.get(room) ?? []]);
  }

  changedIndexes(): Array<[ConnId, { before: RoomId[]; after: RoomId[] }]> {
    return [...this.#indexes].filter(([, { before, after }]) => before !== after);
  }
}
