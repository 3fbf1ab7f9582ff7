/**
 * The history of a channel (Centrifugo's stream): the last publications with their offsets, and the stream's
 * position (top offset + epoch) that recovery compares. One interface, a memory and a Redis implementation, both
 * passing `test/support/history-store-conformance.ts`; Centrifugo's broker_memory.go / broker_redis.go are the model.
 */
import { randomBytes } from 'node:crypto';
import type { PublisherInfo } from '../broker/broker.js';
import { publisherInfo, type ChannelId, type ClientInfo } from '../presence/presence-store.js';

/**
 * Where a stream is: `offset` of its newest publication (0 before the first) within `epoch`. A new epoch means the
 * stream was lost (expired, evicted, Redis emptied): positions of another epoch cannot be recovered from it.
 */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** A publication to store. */
export interface PublicationInput {
  /** The payload as sent to subscribers: JSON text, or base64 of binary data when `json` is false. */
  data: string;
  /** True when `data` is JSON text. */
  json?: boolean;
  /** The publisher, when a client published. */
  info?: ClientInfo;
  /** Publication tags (Centrifugo `tags`). */
  tags?: Record<string, string>;
  /** Same key within `idempotencyWindowMs`: the first publication's result is returned and nothing is added. */
  idempotencyKey?: string;
}

/** A stored publication, as history reads return it. */
export interface StoredPublication {
  offset: number;
  data: string;
  json?: boolean;
  info?: ClientInfo;
  tags?: Record<string, string>;
}

/** How one channel keeps its history (from the channel's namespace: `historySize`, `historyTtlMs`). */
export interface AppendOptions {
  /** Publications kept: older ones are trimmed. At least 1. */
  size: number;
  /** Publications are dropped this long after the channel's last publish. At least 1 ms. */
  ttlMs: number;
  /** How long an idempotency key is remembered. Default {@link DEFAULT_IDEMPOTENCY_WINDOW_MS}. */
  idempotencyWindowMs?: number;
}

/** The result of an append: the publication's place, or the first one's when it was a duplicate. */
export interface AppendResult extends StreamPosition {
  /** True when the idempotency key was seen within its window: nothing was stored. */
  duplicate?: boolean;
}

/** What to read. */
export interface ReadOptions {
  /**
   * Only publications after this position (before it with `reverse`). Its epoch is not compared here: the caller
   * compares it with the returned epoch, a mismatch meaning the position is lost (Centrifugo's error 112).
   */
  since?: StreamPosition;
  /** Most publications returned: 0 returns only the position, -1 (default) every one kept. */
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
}

/**
 * A read: publications in order (newest first with `reverse`) and the stream's position now. The publications may
 * be the store's own objects (memory engine): treat them as read-only.
 */
export interface ReadResult extends StreamPosition {
  publications: StoredPublication[];
}

/**
 * Channel histories. Reads and appends create the stream's epoch when it has none, so a subscriber that saw an
 * empty channel's position keeps it across the first publish. The epoch itself lives {@link DEFAULT_META_TTL_MS}
 * after the last use (Centrifugo's `history_meta_ttl`), far longer than the publications' `ttlMs`.
 *
 * @example
 * const { offset, epoch } = await history.append('chat:1', { data: '{"text":"hi"}', json: true }, { size: 100, ttlMs: 300_000 });
 * const missed = await history.read('chat:1', { since: { offset: 3, epoch } });
 */
export interface HistoryStore {
  /** Stores a publication; offsets grow by one per publication within an epoch, starting at 1. */
  append(channel: ChannelId, pub: PublicationInput, options: AppendOptions): Promise<AppendResult>;
  read(channel: ChannelId, options?: ReadOptions): Promise<ReadResult>;
  /** The stream's position (what a subscribe reply carries): `read(channel, { limit: 0 })`. */
  position(channel: ChannelId): Promise<StreamPosition>;
  /** Drops the publications; the position (offset, epoch) stays, so offsets keep growing (Centrifugo's remove). */
  remove(channel: ChannelId): Promise<void>;
  close(): Promise<void>;
  /** Whether the backend behind it is reachable now (readiness); absent for stores in this process. */
  readonly connected?: boolean;
}

/** How long a stream's position outlives its last use: 30 days, Centrifugo's default `history_meta_ttl`. */
export const DEFAULT_META_TTL_MS = 30 * 24 * 3600 * 1000;
/** How long an idempotency key is remembered: 5 minutes, Centrifugo's default. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000;

/** Throws a RangeError for options no backend could honour (checked alike by every implementation). */
export function checkAppendOptions(options: AppendOptions): void {
  const { size, ttlMs, idempotencyWindowMs } = options;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`history size must be >= 1, got ${size}`);
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1)
    throw new RangeError(`history ttlMs must be >= 1, got ${ttlMs}`);
  if (
    idempotencyWindowMs !== undefined &&
    (!Number.isSafeInteger(idempotencyWindowMs) || idempotencyWindowMs < 1)
  ) {
    throw new RangeError(`idempotencyWindowMs must be >= 1, got ${idempotencyWindowMs}`);
  }
}

/** The limit as a count: undefined and negative values mean every publication. */
export function readLimit(options: ReadOptions | undefined): number {
  const limit = options?.limit ?? -1;
  if (!Number.isSafeInteger(limit)) throw new RangeError(`history limit must be an integer, got ${limit}`);
  return limit < 0 ? Infinity : limit;
}

/** A new epoch: random, short (it travels in every subscribe reply). */
export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

/** The stored shape of a publication: only the fields that are set, so every backend returns the same objects. */
export function storedPublication(offset: number, pub: PublicationInput): StoredPublication {
  const out: StoredPublication = { offset, data: pub.data };
  if (pub.json !== undefined) out.json = pub.json;
  if (pub.info !== undefined) out.info = pub.info;
  if (pub.tags !== undefined) out.tags = pub.tags;
  return out;
}

/** A stored publication as Centrifugo replies carry it: `data` is the JSON value (a string for text publications). */
export interface WirePublication {
  data: unknown;
  offset: number;
  info?: PublisherInfo;
  tags?: Record<string, string>;
}

/** The reply form of a stored publication (Centrifugo history and recovery, the server API's `history`). */
export function wirePublication(p: StoredPublication): WirePublication {
  const out: WirePublication = {
    data: p.json === true ? (JSON.parse(p.data) as unknown) : p.data,
    offset: p.offset,
  };
  if (p.info !== undefined) out.info = publisherInfo(p.info);
  if (p.tags !== undefined) out.tags = p.tags;
  return out;
}
