/**
 * What the Redis history and presence engines share: their connection (fail-fast, auto-pipelined: the commands of
 * one event-loop turn go out in one write) and the one way a failed call is counted and reported.
 */
import type { RedisOptions } from 'ioredis';
import { EngineUnavailableError } from '../errors.js';
import { ChannelKeys } from './keys.js';
import { connectRedis, quietRedisLogger, type RedisClient, type RedisLogger } from './redis-client.js';

/** Connection options common to both engines. */
export interface RedisEngineOptions {
  /** `redis://host:port[/db]`, or comma-separated cluster seeds (see RedisRoomStore). */
  url: string;
  /** Prefix of every key. Default `tars-ws:`. */
  keyPrefix?: string;
  logger?: RedisLogger;
  /** Extra ioredis options, for tests. */
  ioredis?: RedisOptions;
}

/** Checks a TTL option: an integer of at least 1000 ms (Redis key TTLs below a second are not worth a heartbeat). */
export function checkTtl(name: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms < 1000)
    throw new RangeError(`${name} must be an integer of at least 1000, got ${ms}`);
  return ms;
}

/** Connects an engine's client (rejects when Redis stays unreachable for 10 s at start, see connectRedis). */
export async function openEngineClient(
  engine: 'history' | 'presence',
  options: RedisEngineOptions,
): Promise<{ client: RedisClient; keys: ChannelKeys }> {
  const prefix = options.keyPrefix ?? 'tars-ws:';
  const client = await connectRedis({
    url: options.url,
    name: `${prefix}${engine}`,
    logger: options.logger ?? quietRedisLogger,
    autoPipelining: true,
    ...(options.ioredis ? { ioredis: options.ioredis } : {}),
  });
  return { client, keys: new ChannelKeys(prefix) };
}

/** Runs one Redis call of an engine: a failure is counted and rethrown as EngineUnavailableError. */
export async function engineCall<T>(
  engine: 'history' | 'presence',
  counters: { failures: number },
  op: () => Promise<T>,
): Promise<T> {
  try {
    return await op();
  } catch (err) {
    counters.failures++;
    throw new EngineUnavailableError(engine, `${engine} store (redis) is unavailable`, { cause: err });
  }
}
