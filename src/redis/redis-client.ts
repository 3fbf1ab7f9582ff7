/**
 * Opens the ioredis connections of the Redis backends, all alike: reconnect with capped exponential backoff,
 * fail-fast commands while disconnected (no offline queue, so callers see the outage at once instead of piling up
 * memory), and rate-limited logging so a Redis outage writes a few lines, not one per retry.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors.js';

/** The logging the Redis backends need: pino's `(details, message)` shape, so a pino logger fits as is. */
export interface RedisLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** Logger for backends created without one: one line on stderr per warning, info dropped. */
export const quietRedisLogger: RedisLogger = {
  info() {},
  warn(details, message) {
    console.warn(`[redis] ${message} ${JSON.stringify(details)}`);
  },
};

/** A connection to one Redis server, or to a Redis Cluster (same commands; keys of one script share a slot). */
export type RedisClient = Redis | Cluster;

/** First and longest wait between reconnection attempts. */
export const RECONNECT_MIN_MS = 50;
export const RECONNECT_MAX_MS = 2000;
/** How long {@link connectRedis} waits for the first connection before giving up the start. */
export const START_TIMEOUT_MS = 10_000;

/** Wait before reconnection attempt `attempt` (1, 2, ...): doubles from 50 ms up to 2 s, with 20 % jitter. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempt - 1, 10));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Checks a Redis URL at start and returns it. Accepts `redis://` and `rediss://` (TLS) with an optional
 * `user:password@`, port and `/db`; anything else is a ConfigError naming `redisUrl`.
 */
export function checkRedisUrl(url: string, key = 'redisUrl'): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(key, `not a URL: ${JSON.stringify(url)}; expected redis://host:port[/db]`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(key, `scheme must be redis: or rediss:, got ${JSON.stringify(parsed.protocol)}`);
  }
  if (parsed.hostname === '') throw new ConfigError(key, `no host in ${JSON.stringify(url)}`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(key, `database must be a number, got ${JSON.stringify(db)}`);
  }
  return url;
}

/** Logs "down" once per outage and "back" when it ends; the many per-retry errors in between are counted. */
class OutageLog {
  #down = false;
  #errors = 0;
  constructor(
    readonly logger: RedisLogger,
    readonly details: Record<string, unknown>,
  ) {}
  error(err: Error): void {
    this.#errors++;
    if (this.#down) return;
    this.#down = true;
    this.logger.warn({ ...this.details, err: err.message }, 'redis connection lost, retrying with backoff');
  }
  ready(): void {
    if (!this.#down) return;
    this.logger.info({ ...this.details, errors: this.#errors }, 'redis connection back');
    this.#down = false;
    this.#errors = 0;
  }
}

export interface RedisClientOptions {
  /**
   * One `redis://` URL, or several separated by commas (seeds of a Redis Cluster). A single URL that points at a
   * cluster node is detected (`INFO cluster`) and opened as a cluster.
   */
  url: string;
  /** Connection name, shown by `CLIENT LIST` and in logs (e.g. `tars-ws:p3:store`). */
  name: string;
  logger?: RedisLogger;
  /** On a cluster: a client that only listens to sharded channels (one subscriber connection per shard). */
  subscriber?: boolean;
  /**
   * Sends the commands of one event-loop turn in one write (per shard on a cluster). On a cluster it also keeps
   * the commands to one shard in order, which a publisher needs.
   */
  autoPipelining?: boolean;
  /** Extra ioredis options (tests use them to shorten timeouts). */
  ioredis?: RedisOptions;
}

/**
 * The URLs of `redisUrl`: one server, or the seeds of a cluster when there are several (comma-separated). Each must
 * pass {@link checkRedisUrl}; throws a ConfigError naming `key` otherwise.
 */
export function parseRedisUrls(value: string, key = 'redisUrl'): string[] {
  const urls = value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) throw new ConfigError(key, 'empty; expected redis://host:port[/db]');
  for (const url of urls) checkRedisUrl(url, key);
  return urls;
}

/** True for a client connected to a Redis Cluster. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * Connects one ioredis client (a Cluster client on a cluster) and resolves once it is ready; rejects (closing the
 * client) when Redis cannot be reached within {@link START_TIMEOUT_MS}, so a gateway does not start
 * half-configured. After the start the client reconnects by itself for ever.
 */
export async function connectRedis(options: RedisClientOptions): Promise<RedisClient> {
  const urls = parseRedisUrls(options.url);
  const first = urls[0]!;
  const log = new OutageLog(options.logger ?? quietRedisLogger, {
    redis: urls.map(redactUrl).join(','),
    connection: options.name,
  });
  const common = {
    connectionName: options.name.replace(/[^\w:.-]/g, '_'),
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    ...options.ioredis,
  };
  const autoPipelining = { enableAutoPipelining: options.autoPipelining === true };
  let client: RedisClient = new Redis(first, {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
    ...autoPipelining,
    ...common,
  });
  await whenReady(client, log, urls);
  if (urls.length > 1 || /^cluster_enabled:1\b/m.test(await client.info('cluster'))) {
    client.removeAllListeners('close'); // not an outage: this probe connection was only for the detection
    client.disconnect();
    const u = new URL(first);
    client = new Cluster(
      urls.map((url) => ({ host: new URL(url).hostname, port: Number(new URL(url).port || 6379) })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        shardedSubscribers: options.subscriber === true,
        ...autoPipelining,
        redisOptions: {
          ...common,
          ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
          ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
          ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
        },
      },
    );
    await whenReady(client, log, urls);
  }
  return client;
}

async function whenReady(client: RedisClient, log: OutageLog, urls: string[]): Promise<void> {
  client.on('error', (err: Error) => log.error(err));
  // A dropped connection is not always an 'error' (a server that closes cleanly, or is killed, may only 'close').
  client.on('close', () => log.error(new Error('connection closed')));
  client.on('ready', () => log.ready());
  // connect() rejects on the first failed attempt while ioredis keeps retrying; 'ready' is what counts.
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`redis at ${urls.map(redactUrl).join(',')} unreachable for ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
  });
  client.connect().catch(() => undefined);
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    client.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '<bad url>';
  }
}

/** Ends a client: QUIT when connected (flushes replies), a plain disconnect otherwise. Never rejects. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  client.removeAllListeners('close'); // this close is wanted: no "connection lost" line
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
