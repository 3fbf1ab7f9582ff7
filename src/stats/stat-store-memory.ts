/** The default stat store: a Map in the reporting process (lost on restart, like the original's shared table). */
import { mergeRecord, type StatRecord } from './stat-counter.js';
import type { StatStore } from './stat-store.js';

export class MemoryStatStore implements StatStore {
  readonly #hashes = new Map<string, StatRecord>();

  get(key: string): Promise<StatRecord | undefined> {
    const h = this.#hashes.get(key);
    return Promise.resolve(h === undefined ? undefined : { ...h });
  }

  getField(key: string, field: string): Promise<number | undefined> {
    return Promise.resolve(this.#hashes.get(key)?.[field]);
  }

  getAll(key: string): Promise<StatRecord> {
    return Promise.resolve({ ...this.#hashes.get(key) });
  }

  set(key: string, record: Readonly<StatRecord>): Promise<void> {
    this.#hashes.set(key, { ...record });
    return Promise.resolve();
  }

  incrField(key: string, field: string, by = 1): Promise<number> {
    const h = this.#hash(key);
    const value = (h[field] ?? 0) + by;
    h[field] = value;
    return Promise.resolve(value);
  }

  decrField(key: string, field: string, by = 1): Promise<number> {
    return this.incrField(key, field, -by);
  }

  del(key: string): Promise<void> {
    this.#hashes.delete(key);
    return Promise.resolve();
  }

  exist(key: string): Promise<boolean> {
    return Promise.resolve(this.#hashes.has(key));
  }

  merge(key: string, delta: Readonly<StatRecord>): Promise<void> {
    mergeRecord(this.#hash(key), delta);
    return Promise.resolve();
  }

  take(key: string): Promise<StatRecord | undefined> {
    const h = this.#hashes.get(key);
    this.#hashes.delete(key);
    return Promise.resolve(h);
  }

  keys(): Promise<string[]> {
    return Promise.resolve([...this.#hashes.keys()]);
  }

  close(): Promise<void> {
    this.#hashes.clear();
    return Promise.resolve();
  }

  #hash(key: string): StatRecord {
    let h = this.#hashes.get(key);
    if (h === undefined) {
      h = {};
      this.#hashes.set(key, h);
    }
    return h;
  }
}
