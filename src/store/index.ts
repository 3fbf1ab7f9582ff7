/**
 * Room stores: the interface, its implementations, and the one factory the gateway calls with its resolved config.
 */
import { ConfigError } from '../errors.js';
import { FileRoomStore, type FileRoomStoreOptions } from './room-store-file.js';
import { MemoryRoomStore } from './room-store-memory.js';
import type { RoomStore } from './room-store.js';

export {
  assertConnId,
  DEFAULT_MAX_ROOM_LENGTH,
  stderrLogger,
  validateRoomId,
  type RoomStore,
  type RoomStoreLogger,
} from './room-store.js';
export { MemoryRoomStore } from './room-store-memory.js';
export { FileRoomStore, type FileRoomStoreOptions } from './room-store-file.js';

/**
 * Which room store the gateway uses.
 * - `{ type: 'memory' }` (the default): one process only; fastest.
 * - `{ type: 'file', dir, ... }`: shared by the worker processes of one machine through a directory
 *   (see {@link FileRoomStoreOptions} for the other keys and their defaults).
 */
export type RoomStoreOptions = { type: 'memory' } | ({ type: 'file' } & FileRoomStoreOptions);

/**
 * Opens the room store described by options. Rejects with a `ConfigError` naming the bad key when the options are
 * unusable (e.g. a directory that cannot be created).
 *
 * @example
 * const rooms = await openRoomStore({ type: 'file', dir: './data/rooms' });
 */
export async function openRoomStore(options: RoomStoreOptions = { type: 'memory' }): Promise<RoomStore> {
  switch (options.type) {
    case 'memory':
      return new MemoryRoomStore();
    case 'file': {
      const { type: _type, ...fileOptions } = options;
      return FileRoomStore.open(fileOptions);
    }
    default: {
      const type: unknown = (options as { type: unknown }).type;
      throw new ConfigError('roomStore.type', `must be "memory" or "file", got ${JSON.stringify(type)}`);
    }
  }
}
