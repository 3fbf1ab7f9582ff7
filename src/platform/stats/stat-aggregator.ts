/**
 * The reporting process's side of the counters: takes the workers' deltas, samples the properties once a second
 * from the workers' latest gauges, and moves everything into the stat store. Until the store has accepted a
 * record it stays in memory here, so a store outage delays figures but loses none.
 */
import type { Logger } from '../../logger.js';
import { mergeRecord, type StatRecord } from '../../stats/stat-counter.js';
import type { StatDelta } from './stat-delta.js';
import { propKey, statKey } from './stat-messages.js';
import { PROPERTIES, sampleRecord, type PropertySample } from './properties.js';
import type { StatStore } from '../../stats/stat-store.js';

interface SourceGauges {
  connections: number;
  rooms: number | undefined;
  inPerSec: number;
  outPerSec: number;
  rssBytes: number;
  heapUsedBytes: number;
  lagMaxMs: number;
}

const MB = 1024 * 1024;

export class StatAggregator {
  readonly #store: StatStore;
  readonly #logger: Logger;
  /** Memory of processes that send no deltas (the cluster primary) is added to the workers'. */
  readonly #ownMemory: boolean;
  #pending = new Map<string, StatRecord>();
  readonly #gauges = new Map<number, SourceGauges>();
  /** The last flush started: each flush runs after the previous one, so it always takes every record added before it. */
  #tail: Promise<void> = Promise.resolve();
  /** Store merges that failed (their records were kept for the next flush). */
  storeErrors = 0;
  /** Deltas received. */
  deltas = 0;

  constructor(store: StatStore, logger: Logger, options: { addOwnMemory?: boolean } = {}) {
    this.#store = store;
    this.#logger = logger;
    this.#ownMemory = options.addOwnMemory ?? false;
  }

  /** Adds a delta of source `source` (a worker id; 0 in a single process). */
  ingest(source: number, delta: StatDelta): void {
    this.deltas++;
    for (const e of delta.entries) this.#add(statKey(e.kind, e.ret, e.name), e.record);
    const g = delta.gauges;
    const perSec = delta.elapsedMs > 0 ? 1000 / delta.elapsedMs : 0;
    this.#gauges.set(source, {
      connections: g.connections,
      rooms: g.rooms,
      inPerSec: g.messagesIn * perSec,
      outPerSec: g.messagesOut * perSec,
      rssBytes: g.rssBytes,
      heapUsedBytes: g.heapUsedBytes,
      lagMaxMs: g.lagMaxMs,
    });
  }

  /** Forgets a source's gauges (its process is gone). */
  dropSource(source: number): void {
    this.#gauges.delete(source);
  }

  /** The current values of the properties (sums over sources; the largest lag); undefined before any delta. */
  currentSample(): PropertySample | undefined {
    if (this.#gauges.size === 0) return undefined;
    const s: PropertySample = {
      connections: 0,
      rooms: 0,
      messagesInPerSec: 0,
      messagesOutPerSec: 0,
      rssMB: 0,
      heapUsedMB: 0,
      eventLoopLagMs: 0,
    };
    let rss = 0;
    let heap = 0;
    for (const g of this.#gauges.values()) {
      s.connections += g.connections;
      if (g.rooms !== undefined) s.rooms = Math.max(s.rooms, g.rooms);
      s.messagesInPerSec += g.inPerSec;
      s.messagesOutPerSec += g.outPerSec;
      rss += g.rssBytes;
      heap += g.heapUsedBytes;
      s.eventLoopLagMs = Math.max(s.eventLoopLagMs, g.lagMaxMs);
    }
    if (this.#ownMemory) {
      const mem = process.memoryUsage();
      rss += mem.rss;
      heap += mem.heapUsed;
    }
    s.rssMB = rss / MB;
    s.heapUsedMB = heap / MB;
    return s;
  }

  /** Records one sample of every property (call about once a second). */
  sample(): void {
    const s = this.currentSample();
    if (!s) return;
    for (const def of PROPERTIES) this.#add(propKey(def.name), sampleRecord(def, s[def.name]));
  }

  /** Moves the pending records into the store; those it refuses stay pending. Never rejects. */
  flush(): Promise<void> {
    this.#tail = this.#tail.then(() => this.#flush());
    return this.#tail;
  }

  /** Puts records back (a report that failed), to be merged into the store on the next flush. */
  restore(records: Iterable<[string, StatRecord]>): void {
    for (const [key, r] of records) this.#add(key, r);
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    let failed = 0;
    await Promise.all(
      [...batch].map(([key, r]) =>
        this.#store.merge(key, r).catch(() => {
          failed++;
          this.#add(key, r);
        }),
      ),
    );
    if (failed > 0) {
      this.storeErrors += failed;
      this.#logger.warn(
        { failed, pending: this.#pending.size },
        'stat store refused records; kept for retry',
      );
    }
  }

  #add(key: string, r: Readonly<StatRecord>): void {
    const cur = this.#pending.get(key);
    if (cur) mergeRecord(cur, r);
    else this.#pending.set(key, { ...r });
  }
}
