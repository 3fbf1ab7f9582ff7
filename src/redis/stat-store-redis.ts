/**
 * A stat store in Redis: one hash per key under a prefix, HINCRBYFLOAT for sums and a script for atomic merges.
 * Useful when counters must survive a restart of the reporting process or be read by other tools. Failures
 * reject the call (the reporter keeps its figures and retries), are counted, and are logged at most every 10 s.
 */
import { Cluster, type Redis } from 'ioredis';
import { closeRedis, connectRedis, type RedisLogger } from './redis-client.js';
import type { StatRecord } from '../stats/stat-counter.js';
import type { StatStore } from '../stats/stat-store.js';

export interface RedisStatStoreOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Prefix of every key. Default `tars-ws:stats:`; give each server (App.Server) its own. */
  keyPrefix?: string;
  logger?: RedisLogger;
}

/** `max…` fields keep the larger value, `min…` the smaller, others are summed; see `fieldMerge`. */
const MERGE_SCRIPT = `
for i = 1, #ARGV, 2 do
  local f = ARGV[i]
  local v = tonumber(ARGV[i + 1])
  local how = string.sub(f, 1, 3)
  if how == 'max' or how == 'min' then
    local cur = tonumber(redis.call('HGET', KEYS[1], f))
    if cur == nil or (how == 'max' and v > cur) or (how == 'min' and v < cur) then
      redis.call('HSET', KEYS[1], f, ARGV[i + 1])
    end
  else
    redis.call('HINCRBYFLOAT', KEYS[1], f, ARGV[i + 1])
  end
end
return 1
`;

const LOG_EVERY_MS = 10_000;

/** One server or a Redis Cluster (every key's commands touch that key only, so they work on a cluster too). */
type Client = Redis | Cluster;

export class RedisStatStore implements StatStore {
  readonly #client: Client;
  readonly #prefix: string;
  readonly #logger: RedisLogger | undefined;
  readonly #ownsClient: boolean;
  #lastLog = 0;
  /** Commands that failed since start. */
  errors = 0;

  /** Connects (waiting for the first connection, see `connectRedis`) and returns the store. */
  static async open(options: RedisStatStoreOptions): Promise<RedisStatStore> {
    const client = await connectRedis({ url: options.url, name: 'tars-ws:stats', logger: options.logger });
    return new RedisStatStore(client, options.keyPrefix, options.logger, true);
  }

  /** Uses an existing client (left open by {@link close} unless `ownsClient`). */
  constructor(client: Client, keyPrefix = 'tars-ws:stats:', logger?: RedisLogger, ownsClient = false) {
    this.#client = client;
    this.#prefix = keyPrefix;
    this.#logger = logger;
    this.#ownsClient = ownsClient;
  }

  async get(key: string): Promise<StatRecord | undefined> {
    const h = await this.#run('get', () => this.#client.hgetall(this.#prefix + key));
    return Object.keys(h).length === 0 ? undefined : toRecord(h);
  }

  async getField(key: string, field: string): Promise<number | undefined> {
    const v = await this.#run('getField', () => this.#client.hget(this.#prefix + key, field));
    return v === null ? undefined : Number(v);
  }

  async getAll(key: string): Promise<StatRecord> {
    return toRecord(await this.#run('getAll', () => this.#client.hgetall(this.#prefix + key)));
  }

  async set(key: string, record: Readonly<StatRecord>): Promise<void> {
    const k = this.#prefix + key;
    await this.#run('set', async () => {
      const m = this.#client.multi().del(k);
      if (Object.keys(record).length > 0) m.hset(k, toStrings(record));
      const results = await m.exec();
      throwFirst(results);
    });
  }

  async incrField(key: string, field: string, by = 1): Promise<number> {
    return Number(
      await this.#run('incrField', () => this.#client.hincrbyfloat(this.#prefix + key, field, by)),
    );
  }

  decrField(key: string, field: string, by = 1): Promise<number> {
    return this.incrField(key, field, -by);
  }

  async del(key: string): Promise<void> {
    await this.#run('del', () => this.#client.del(this.#prefix + key));
  }

  async exist(key: string): Promise<boolean> {
    return (await this.#run('exist', () => this.#client.exists(this.#prefix + key))) > 0;
  }

  async merge(key: string, delta: Readonly<StatRecord>): Promise<void> {
    const args: string[] = [];
    for (const [f, v] of Object.entries(delta)) args.push(f, String(v));
    if (args.length === 0) return;
    await this.#run('merge', () => this.#client.eval(MERGE_SCRIPT, 1, this.#prefix + key, ...args));
  }

  async take(key: string): Promise<StatRecord | undefined> {
    const k = this.#prefix + key;
    const results = await this.#run('take', () => this.#client.multi().hgetall(k).del(k).exec());
    throwFirst(results);
    const h = results?.[0]?.[1] as Record<string, string> | undefined;
    return h === undefined || Object.keys(h).length === 0 ? undefined : toRecord(h);
  }

  async keys(): Promise<string[]> {
    const pattern = `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    return this.#run('keys', async () => {
      const out: string[] = [];
      const nodes = this.#client instanceof Cluster ? this.#client.nodes('master') : [this.#client];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          for (const k of found) out.push(k.slice(this.#prefix.length));
        } while (cursor !== '0');
      }
      return [...new Set(out)]; // SCAN may return a key twice
    });
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await closeRedis(this.#client);
  }

  async #run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.errors++;
      const now = Date.now();
      if (now - this.#lastLog >= LOG_EVERY_MS) {
        this.#lastLog = now;
        this.#logger?.warn(
          { op, errors: this.errors, err: err instanceof Error ? err.message : String(err) },
          'stat store command failed',
        );
      }
      throw err;
    }
  }
}

function toRecord(h: Record<string, string>): StatRecord {
  const r: StatRecord = {};
  for (const [f, v] of Object.entries(h)) r[f] = Number(v);
  return r;
}

function toStrings(r: Readonly<StatRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [f, v] of Object.entries(r)) out[f] = String(v);
  return out;
}

function throwFirst(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}
