/**
 * The history of a multi-node deployment: each channel's publications in a Redis Stream, its position (epoch, top
 * offset) in a hash, the offset assigned in the same Lua script as the XADD, so every node sees one numbering. While
 * Redis is unreachable every call fails fast with EngineUnavailableError; ioredis reconnects and the scripts are
 * loaded again by themselves (EVALSHA falls back to EVAL), so nothing needs re-registering.
 */
import {
  checkAppendOptions,
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  DEFAULT_META_TTL_MS,
  newEpoch,
  readLimit,
  type AppendOptions,
  type AppendResult,
  type HistoryStore,
  type PublicationInput,
  type ReadOptions,
  type ReadResult,
  type StoredPublication,
  type StreamPosition,
} from '../history/history-store.js';
import type { ChannelId, ClientInfo } from '../presence/presence-store.js';
import { defineHistoryScripts, type HistoryScripts } from './engine-scripts.js';
import { checkTtl, engineCall, openEngineClient, type RedisEngineOptions } from './engine-client.js';
import type { ChannelKeys } from './keys.js';
import { closeRedis, type RedisClient } from './redis-client.js';

export interface RedisHistoryStoreOptions extends RedisEngineOptions {
  /** How long a stream's position outlives its last use. Default 30 days (Centrifugo's `history_meta_ttl`). */
  metaTtlMs?: number;
}

/** A publication as the stream entry's `p` field holds it (short names: it is stored once per publication). */
interface StoredEntry {
  d: string;
  j?: boolean;
  i?: ClientInfo;
  t?: Record<string, string>;
}

/**
 * {@link HistoryStore} in Redis Streams, shared by every gateway process of a deployment.
 *
 * @example
 * const history = await RedisHistoryStore.open({ url: 'redis://127.0.0.1:6379' });
 */
export class RedisHistoryStore implements HistoryStore {
  readonly keys: ChannelKeys;
  /** Calls rejected because Redis was unreachable or failed. */
  readonly counters = { failures: 0 };
  readonly #client: RedisClient;
  readonly #scripts: HistoryScripts;
  readonly #metaTtlMs: number;

  private constructor(client: RedisClient, keys: ChannelKeys, metaTtlMs: number) {
    this.#client = client;
    this.keys = keys;
    this.#metaTtlMs = metaTtlMs;
    this.#scripts = defineHistoryScripts(client);
  }

  /** Connects (rejects when Redis stays unreachable for 10 s at start, see connectRedis). */
  static async open(options: RedisHistoryStoreOptions): Promise<RedisHistoryStore> {
    const metaTtlMs = checkTtl('metaTtlMs', options.metaTtlMs ?? DEFAULT_META_TTL_MS);
    const { client, keys } = await openEngineClient('history', options);
    return new RedisHistoryStore(client, keys, metaTtlMs);
  }

  /** True while the connection to Redis is up. */
  get connected(): boolean {
    return this.#client.status === 'ready';
  }

  async append(channel: ChannelId, pub: PublicationInput, options: AppendOptions): Promise<AppendResult> {
    checkAppendOptions(options);
    const entry: StoredEntry = { d: pub.data };
    if (pub.json !== undefined) entry.j = pub.json;
    if (pub.info !== undefined) entry.i = pub.info;
    if (pub.tags !== undefined) entry.t = pub.tags;
    const key = pub.idempotencyKey;
    const k = this.keys;
    const reply = await this.#run(() =>
      this.#scripts.append(
        k.historyStream(channel),
        k.historyMeta(channel),
        // Without a key the script never touches KEYS[3]; it is still declared, in the channel's slot.
        k.historyIdempotency(channel, key ?? ''),
        JSON.stringify(entry),
        options.size,
        options.ttlMs,
        this.#metaTtlMs,
        newEpoch(),
        key === undefined ? 0 : (options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS),
      ),
    );
    const [offset, epoch, duplicate] = reply as [number, string, number];
    return duplicate === 1 ? { offset, epoch, duplicate: true } : { offset, epoch };
  }

  async read(channel: ChannelId, options: ReadOptions = {}): Promise<ReadResult> {
    const limit = readLimit(options);
    const reply = await this.#run(() =>
      this.#scripts.read(
        this.keys.historyStream(channel),
        this.keys.historyMeta(channel),
        options.since ? String(options.since.offset) : '',
        limit === Infinity ? -1 : limit,
        options.reverse ? '1' : '0',
        this.#metaTtlMs,
        newEpoch(),
      ),
    );
    const [offset, epoch, entries] = reply as [number, string, [string, string[]][]];
    return { offset, epoch, publications: entries.map(decodeEntry) };
  }

  async position(channel: ChannelId): Promise<StreamPosition> {
    const { offset, epoch } = await this.read(channel, { limit: 0 });
    return { offset, epoch };
  }

  async remove(channel: ChannelId): Promise<void> {
    await this.#run(() => this.#client.del(this.keys.historyStream(channel)));
  }

  async close(): Promise<void> {
    await closeRedis(this.#client);
  }

  #run<T>(op: () => Promise<T>): Promise<T> {
    return engineCall('history', this.counters, op);
  }
}

function decodeEntry([id, fields]: [string, string[]]): StoredPublication {
  const stored = JSON.parse(fields[1] ?? '{}') as StoredEntry;
  const pub: StoredPublication = { offset: Number(id.slice(0, id.indexOf('-'))), data: stored.d };
  if (stored.j !== undefined) pub.json = stored.j;
  if (stored.i !== undefined) pub.info = stored.i;
  if (stored.t !== undefined) pub.tags = stored.t;
  return pub;
}
