/**
 * The default history store: streams in this process's memory, bounded by `size` per channel, by a cap on the
 * number of channels (the least recently used stream is dropped, its epoch with it) and by TTLs that a timer sweeps.
 * With several workers the primary holds the one instance and the workers reach it over IPC (IpcHistoryStore).
 */
import type { ChannelId } from '../presence/presence-store.js';
import {
  checkAppendOptions,
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  DEFAULT_META_TTL_MS,
  newEpoch,
  readLimit,
  storedPublication,
  type AppendOptions,
  type AppendResult,
  type HistoryStore,
  type PublicationInput,
  type ReadOptions,
  type ReadResult,
  type StoredPublication,
  type StreamPosition,
} from './history-store.js';

export interface MemoryHistoryStoreOptions {
  /** How long a stream's position outlives its last use. Default {@link DEFAULT_META_TTL_MS} (30 days). */
  metaTtlMs?: number;
  /** Most channels with a stream; past it the least recently used one is dropped. Default 100000. */
  maxChannels?: number;
  /** Idempotency keys remembered per channel; past it the oldest is forgotten. Default 10000. */
  maxIdempotencyKeys?: number;
  /** Interval of the expiry sweep. Default 1000 ms (expiry is also checked on every access). */
  sweepIntervalMs?: number;
}

/** One channel's stream. Publications are contiguous: `pubs[head + i]` has offset `top - (length - head) + 1 + i`. */
interface Stream {
  epoch: string;
  top: number;
  pubs: StoredPublication[];
  head: number;
  /** When the publications expire (ttlMs after the last publish). */
  dataUntil: number;
  /** When the position expires (metaTtlMs after the last use). */
  metaUntil: number;
  idempotency: Map<string, { result: StreamPosition; until: number }>;
}

/** In-memory {@link HistoryStore}: appends and reads are O(1) plus the publications returned. */
export class MemoryHistoryStore implements HistoryStore {
  readonly #streams = new Map<ChannelId, Stream>();
  readonly #metaTtlMs: number;
  readonly #maxChannels: number;
  readonly #maxKeys: number;
  readonly #timer: NodeJS.Timeout;

  constructor(options: MemoryHistoryStoreOptions = {}) {
    this.#metaTtlMs = options.metaTtlMs ?? DEFAULT_META_TTL_MS;
    this.#maxChannels = options.maxChannels ?? 100_000;
    this.#maxKeys = options.maxIdempotencyKeys ?? 10_000;
    this.#timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Number of channels holding a stream (a position, publications or both). */
  get size(): number {
    return this.#streams.size;
  }

  async append(channel: ChannelId, pub: PublicationInput, options: AppendOptions): Promise<AppendResult> {
    checkAppendOptions(options);
    const now = Date.now();
    const stream = this.#stream(channel, now);
    const key = pub.idempotencyKey;
    if (key !== undefined) {
      const seen = stream.idempotency.get(key);
      if (seen && seen.until > now) return { ...seen.result, duplicate: true };
    }
    const offset = ++stream.top;
    stream.pubs.push(storedPublication(offset, pub));
    stream.dataUntil = now + options.ttlMs;
    const excess = stream.pubs.length - stream.head - options.size;
    if (excess > 0) trim(stream, excess);
    const result = { offset, epoch: stream.epoch };
    if (key !== undefined) {
      stream.idempotency.delete(key);
      stream.idempotency.set(key, {
        result,
        until: now + (options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS),
      });
      if (stream.idempotency.size > this.#maxKeys) {
        stream.idempotency.delete(stream.idempotency.keys().next().value!);
      }
    }
    return result;
  }

  async read(channel: ChannelId, options: ReadOptions = {}): Promise<ReadResult> {
    const limit = readLimit(options);
    const stream = this.#stream(channel, Date.now());
    const position = { offset: stream.top, epoch: stream.epoch };
    const count = stream.pubs.length - stream.head;
    if (limit === 0 || count === 0) return { ...position, publications: [] };
    const first = stream.top - count + 1;
    // Indexes into pubs of the first and last publication to return, in reading order.
    let from: number;
    let to: number;
    if (!options.reverse) {
      from = options.since ? Math.max(first, options.since.offset + 1) : first;
      to = Math.min(stream.top, from + limit - 1);
    } else {
      from = options.since ? Math.min(stream.top, options.since.offset - 1) : stream.top;
      to = Math.max(first, from - limit + 1);
    }
    const publications: StoredPublication[] = [];
    const step = options.reverse ? -1 : 1;
    if (options.reverse ? from >= to : from <= to) {
      for (let offset = from; options.reverse ? offset >= to : offset <= to; offset += step) {
        publications.push(stream.pubs[stream.head + offset - first]!);
      }
    }
    return { ...position, publications };
  }

  async position(channel: ChannelId): Promise<StreamPosition> {
    const { offset, epoch } = await this.read(channel, { limit: 0 });
    return { offset, epoch };
  }

  async remove(channel: ChannelId): Promise<void> {
    const stream = this.#streams.get(channel);
    if (!stream) return;
    stream.pubs = [];
    stream.head = 0;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#streams.clear();
  }

  /** Drops what expired: whole streams past their meta TTL, publications past their TTL. The timer calls it. */
  sweep(now = Date.now()): void {
    for (const [channel, stream] of this.#streams) this.#expire(channel, stream, now);
  }

  // The channel's live stream, created (new epoch) when it has none; moved to the most recently used end.
  #stream(channel: ChannelId, now: number): Stream {
    let stream = this.#streams.get(channel);
    if (stream && !this.#expire(channel, stream, now)) stream = undefined;
    if (stream) {
      this.#streams.delete(channel);
    } else {
      stream = {
        epoch: newEpoch(),
        top: 0,
        pubs: [],
        head: 0,
        dataUntil: 0,
        metaUntil: 0,
        idempotency: new Map(),
      };
      if (this.#streams.size >= this.#maxChannels) this.#streams.delete(this.#streams.keys().next().value!);
    }
    stream.metaUntil = now + this.#metaTtlMs;
    this.#streams.set(channel, stream);
    return stream;
  }

  // Applies the TTLs to one stream; false when the whole stream is gone.
  #expire(channel: ChannelId, stream: Stream, now: number): boolean {
    if (stream.metaUntil <= now) {
      this.#streams.delete(channel);
      return false;
    }
    if (stream.dataUntil <= now && stream.pubs.length > stream.head) {
      stream.pubs = [];
      stream.head = 0;
    }
    for (const [key, seen] of stream.idempotency) {
      // Insertion order is expiry order within one window; a longer window later may hide an earlier expiry.
      if (seen.until > now) break;
      stream.idempotency.delete(key);
    }
    return true;
  }
}

// Drops the oldest publications; compacts the array once the dropped part is its larger half (amortised O(1)).
function trim(stream: Stream, count: number): void {
  stream.head += count;
  if (stream.head > 64 && stream.head * 2 > stream.pubs.length) {
    stream.pubs = stream.pubs.slice(stream.head);
    stream.head = 0;
  }
}
