/** The presence seam: the interface and the in-memory default. The Redis engine lives in src/redis. */
export {
  type ChannelId,
  type ClientId,
  type ClientInfo,
  type PresenceStats,
  type PresenceStore,
} from './presence-store.js';
export { MemoryPresenceStore } from './presence-store-memory.js';
