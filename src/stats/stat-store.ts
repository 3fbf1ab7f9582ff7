/**
 * Where counters live between two reports (the original's `monitorStoreConf`): hashes of numeric fields under
 * string keys. Memory by default; Redis, or any class implementing {@link StatStore}, as options. Only the
 * reporting process (the cluster primary, or the single process) writes to it.
 */
import type { StatRecord } from './stat-counter.js';

export type { StatRecord };

/**
 * A store of numeric hashes. The first eight methods are the original's store-cache interface; `merge`, `take`
 * and `keys` are what reporting needs. Every method may reject when the backend fails (the caller keeps its
 * figures and retries); implementations log and count such failures and never crash the process.
 *
 * @example
 * class MyStore implements StatStore { ... }
 * startStatReporting({ tarsConfig, store: new MyStore(), logger });
 */
export interface StatStore {
  /** The hash at `key`, or undefined when there is none. */
  get(key: string): Promise<StatRecord | undefined>;
  /** One field, or undefined. */
  getField(key: string, field: string): Promise<number | undefined>;
  /** The hash at `key`; `{}` when there is none. */
  getAll(key: string): Promise<StatRecord>;
  /** Replaces the hash at `key`. */
  set(key: string, record: Readonly<StatRecord>): Promise<void>;
  /** Adds `by` (default 1) to a field (absent = 0); resolves with the new value. */
  incrField(key: string, field: string, by?: number): Promise<number>;
  /** Subtracts `by` (default 1); resolves with the new value. */
  decrField(key: string, field: string, by?: number): Promise<number>;
  del(key: string): Promise<void>;
  exist(key: string): Promise<boolean>;
  /**
   * Merges `delta` into the hash in one atomic step: `max…` fields keep the larger value, `min…` the smaller,
   * others are summed (see `fieldMerge`).
   */
  merge(key: string, delta: Readonly<StatRecord>): Promise<void>;
  /** Reads and deletes the hash in one atomic step (undefined when there is none). */
  take(key: string): Promise<StatRecord | undefined>;
  /** Every key that has a hash, in no particular order. */
  keys(): Promise<string[]>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
