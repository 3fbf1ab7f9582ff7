/**
 * The default room store: two maps in this process. Right for a single gateway process; with several worker
 * processes each one only sees its own connections, so use {@link FileRoomStore} (or a shared backend) there.
 */
import type { ConnId, RoomId } from '../types.js';
import { assertConnId, type RoomStore } from './room-store.js';

/** In-memory {@link RoomStore}. Every operation is O(1) except `removeConnection` (O(rooms of the connection)). */
export class MemoryRoomStore implements RoomStore {
  readonly #members = new Map<RoomId, Set<ConnId>>();
  // Reverse index, so that a closing connection leaves its rooms without scanning every room.
  readonly #roomsOf = new Map<ConnId, Set<RoomId>>();

  async add(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    const members = this.#members.get(room) ?? new Set<ConnId>();
    if (members.has(conn)) return false;
    members.add(conn);
    this.#members.set(room, members);
    const rooms = this.#roomsOf.get(conn) ?? new Set<RoomId>();
    rooms.add(room);
    this.#roomsOf.set(conn, rooms);
    return true;
  }

  async remove(room: RoomId, conn: ConnId): Promise<boolean> {
    assertConnId(conn);
    const members = this.#members.get(room);
    if (members === undefined || !members.delete(conn)) return false;
    if (members.size === 0) this.#members.delete(room);
    const rooms = this.#roomsOf.get(conn);
    rooms?.delete(room);
    if (rooms?.size === 0) this.#roomsOf.delete(conn);
    return true;
  }

  async members(room: RoomId): Promise<ConnId[]> {
    return [...(this.#members.get(room) ?? [])];
  }

  async roomsOf(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    return [...(this.#roomsOf.get(conn) ?? [])];
  }

  async removeConnection(conn: ConnId): Promise<RoomId[]> {
    assertConnId(conn);
    const rooms = this.#roomsOf.get(conn);
    if (rooms === undefined) return [];
    this.#roomsOf.delete(conn);
    for (const room of rooms) {
      const members = this.#members.get(room);
      members?.delete(conn);
      if (members?.size === 0) this.#members.delete(room);
    }
    return [...rooms];
  }

  async count(room: RoomId): Promise<number> {
    return this.#members.get(room)?.size ?? 0;
  }

  async rooms(): Promise<RoomId[]> {
    return [...this.#members.keys()];
  }

  async close(): Promise<void> {
    this.#members.clear();
    this.#roomsOf.clear();
  }
}
