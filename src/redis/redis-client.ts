/**
 * Opens the ioredis connections of the Redis backends, all alike: reconnect with capped exponential backoff,
 * fail-fast commands while disconnected (no offline queue, so callers see the outage at once instead of piling up
 * memory), and rate-limited logging so a Redis outage writes a few lines, not one per retry.
 */
import { Redis, type RedisOptions } from 'ioredis';
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
  url: string;
  /** Connection name, shown by `CLIENT LIST` and in logs (e.g. `tars-ws:p3:store`). */
  name: string;
  logger?: RedisLogger;
  /** Extra ioredis options (tests use them to shorten timeouts). */
  ioredis?: RedisOptions;
}

/**
 * Connects one ioredis client and resolves once it is ready; rejects (closing the client) when Redis cannot be
 * reached within {@link START_TIMEOUT_MS}, so a gateway does not start half-configured. After the start the client
 * reconnects by itself for ever.
 */
export async function connectRedis(options: RedisClientOptions): Promise<Redis> {
  const url = checkRedisUrl(options.url);
  const logger = options.logger ?? quietRedisLogger;
  const log = new OutageLog(logger, { redis: redactUrl(url), connection: options.name });
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: options.name.replace(/[^\w:.-]/g, '_'),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: reconnectDelay,
    ...options.ioredis,
  });
  client.on('error', (err: Error) => log.error(err));
  // A dropped connection is not always an 'error' (a server that closes cleanly, or is killed, may only 'close').
  client.on('close', () => log.error(new Error('connection closed')));
  client.on('ready', () => log.ready());
  // connect() rejects on the first failed attempt while ioredis keeps retrying; 'ready' is what counts.
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  const timeout = new Promise<never>((_, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis at ${redactUrl(url)} unreachable for ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    timer.unref();
    void ready.finally(() => clearTimeout(timer)).catch(() => undefined);
  });
  client.connect().catch(() => undefined);
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  return client;
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
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  client.removeAllListeners('close'); // this close is wanted: no "connection lost" line
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else {
    client.disconnect();
  }
}
