/** The history seam: the interface, its helpers and the in-memory default. The Redis engine lives in src/redis. */
export {
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  DEFAULT_META_TTL_MS,
  type AppendOptions,
  type AppendResult,
  type HistoryStore,
  type PublicationInput,
  type ReadOptions,
  type ReadResult,
  type StoredPublication,
  type StreamPosition,
} from './history-store.js';
export { MemoryHistoryStore, type MemoryHistoryStoreOptions } from './history-store-memory.js';
