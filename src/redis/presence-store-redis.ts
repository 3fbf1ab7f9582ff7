/**
 * The presence of a multi-node deployment: per channel a hash of entries, a sorted set of their expiry times and a
 * hash of clients per user, changed by Lua scripts that first drop the expired entries. Each process refreshes the
 * expiry of the entries it added every third of `ttlMs` (its heartbeat, the node-liveness rule of the Redis room
 * store): a process that dies without cleaning up has its entries gone ttlMs later. The refresh re-adds full entries,
 * so after Redis restarted empty the presence is back within one heartbeat.
 */
import {
  cleanInfo,
  type ChannelId,
  type ClientId,
  type ClientInfo,
  type PresenceStats,
  type PresenceStore,
} from '../presence/presence-store.js';
import { definePresenceScripts, type PresenceScripts } from './engine-scripts.js';
import { checkTtl, engineCall, openEngineClient, type RedisEngineOptions } from './engine-client.js';
import type { ChannelKeys } from './keys.js';
import { closeRedis, type RedisClient } from './redis-client.js';

export interface RedisPresenceStoreOptions extends RedisEngineOptions {
  /** An entry not refreshed for this long is dropped. Default 15000 ms (`nodeTtlMs`); at least 1000. */
  ttlMs?: number;
}

/** Entries refreshed per script call, so one call never holds Redis long. */
const REFRESH_BATCH = 500;

/**
 * {@link PresenceStore} in Redis, shared by every gateway process of a deployment.
 *
 * @example
 * const presence = await RedisPresenceStore.open({ url: 'redis://127.0.0.1:6379', ttlMs: 15_000 });
 */
export class RedisPresenceStore implements PresenceStore {
  readonly keys: ChannelKeys;
  /** Calls rejected (failures) and heartbeats that could not reach Redis (missedRefreshes). */
  readonly counters = { failures: 0, missedRefreshes: 0 };
  readonly #client: RedisClient;
  readonly #scripts: PresenceScripts;
  readonly #ttlMs: number;
  /** The entries this process added, as the script arguments of their refresh: client -> [user, info JSON]. */
  readonly #own = new Map<ChannelId, Map<ClientId, [string, string]>>();
  readonly #timer: NodeJS.Timeout;
  #refreshing: Promise<void> | undefined;

  private constructor(client: RedisClient, keys: ChannelKeys, ttlMs: number) {
    this.#client = client;
    this.keys = keys;
    this.#ttlMs = ttlMs;
    this.#scripts = definePresenceScripts(client);
    this.#timer = setInterval(() => void this.refresh(), Math.floor(ttlMs / 3));
    this.#timer.unref();
  }

  static async open(options: RedisPresenceStoreOptions): Promise<RedisPresenceStore> {
    const ttlMs = checkTtl('presence ttlMs', options.ttlMs ?? 15_000);
    const { client, keys } = await openEngineClient('presence', options);
    return new RedisPresenceStore(client, keys, ttlMs);
  }

  /** True while the connection to Redis is up. */
  get connected(): boolean {
    return this.#client.status === 'ready';
  }

  /**
   * Adds the entry in Redis and makes it this process's to refresh until {@link remove}, even when Redis rejected
   * the add: the heartbeat adds it once Redis is back. So call `remove` when the client leaves, whatever `add` said.
   */
  async add(channel: ChannelId, client: ClientId, info: ClientInfo): Promise<void> {
    const entry = cleanInfo(info);
    const args: [string, string] = [entry.user, JSON.stringify(entry)];
    // Recorded first: if Redis is down now, the next heartbeat after it returns adds the entry.
    let own = this.#own.get(channel);
    if (!own) this.#own.set(channel, (own = new Map()));
    own.set(client, args);
    await this.#run(() => this.#scripts.add(...this.#channelKeys(channel), this.#ttlMs, client, ...args));
  }

  async remove(channel: ChannelId, client: ClientId): Promise<void> {
    const own = this.#own.get(channel);
    own?.delete(client);
    if (own?.size === 0) this.#own.delete(channel);
    await this.#run(() => this.#scripts.remove(...this.#channelKeys(channel), client));
  }

  async get(channel: ChannelId): Promise<Record<ClientId, ClientInfo>> {
    const flat = (await this.#run(() => this.#scripts.get(...this.#channelKeys(channel)))) as string[];
    const out: Record<ClientId, ClientInfo> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = JSON.parse(flat[i + 1]!) as ClientInfo;
    return out;
  }

  async stats(channel: ChannelId): Promise<PresenceStats> {
    const [numClients, numUsers] = (await this.#run(() =>
      this.#scripts.stats(...this.#channelKeys(channel)),
    )) as [number, number];
    return { numClients, numUsers };
  }

  /**
   * The heartbeat: re-adds every entry of this process with a new expiry. The timer runs it every ttlMs / 3; a run
   * that finds Redis unreachable counts a missed refresh and leaves the next to the timer.
   */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshAll().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** Stops the heartbeat and disconnects. The entries are left to expire (connections leaving remove their own). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#refreshing;
    this.#own.clear();
    await closeRedis(this.#client);
  }

  async #refreshAll(): Promise<void> {
    if (!this.connected || this.#own.size === 0) return;
    const calls: Promise<unknown>[] = [];
    for (const [channel, own] of this.#own) {
      const entries = [...own];
      for (let i = 0; i < entries.length; i += REFRESH_BATCH) {
        const args = entries
          .slice(i, i + REFRESH_BATCH)
          .flatMap(([client, [user, info]]) => [client, user, info]);
        calls.push(this.#scripts.add(...this.#channelKeys(channel), this.#ttlMs, ...args));
      }
    }
    const results = await Promise.allSettled(calls);
    if (results.some((r) => r.status === 'rejected')) this.counters.missedRefreshes++;
  }

  #channelKeys(channel: ChannelId): [string, string, string] {
    const k = this.keys;
    return [k.presenceClients(channel), k.presenceExpiry(channel), k.presenceUsers(channel)];
  }

  #run<T>(op: () => Promise<T>): Promise<T> {
    return engineCall('presence', this.counters, op);
  }
}
