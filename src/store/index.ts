/** The room store seam: the interface, its validation helpers and the in-memory default. Backends live elsewhere. */
export {
  assertConnId,
  DEFAULT_MAX_ROOM_LENGTH,
  stderrLogger,
  validateRoomId,
  type MembershipSource,
  type RoomStore,
  type RoomStoreLogger,
} from './room-store.js';
export { MemoryRoomStore } from './room-store-memory.js';
