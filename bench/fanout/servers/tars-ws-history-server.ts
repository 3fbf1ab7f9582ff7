/**
 * Targets `tars-ws-history` and `tars-ws-history-redis`: the tars-ws target with its room keeping history (every
 * publication appended to the history engine before it is published), on the memory engine or on Redis
 * (127.0.0.1:6379 unless `BENCH_REDIS_URL`, a key prefix of its own, wiped when the server closes).
 */
import { randomBytes } from 'node:crypto';
import { createChatApp } from '../../../examples/chat/app.js';
import { wipePrefix } from '../../../test/support/redis-server.js';
import { BENCH_HISTORY } from '../targets.js';
import type { BenchServer } from './server.js';
import { benchConfig, OPEN_CHANNELS } from './tars-ws-server.js';

/** The Redis the Redis-engine targets use: `BENCH_REDIS_URL`, else the local default. */
export function benchRedisUrl(): string {
  return process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** A key prefix no other run shares, so wiping it after the run touches nothing else. */
function benchRedisPrefix(name: string): string {
  return `tars-ws-bench:${process.pid}-${randomBytes(4).toString('hex')}:${name}:`;
}

/**
 * Starts the chat gateway with `env` on top of the bench config and history on `engine`. On Redis the keys go under
 * a prefix of their own (named after `name`), wiped when the server is asked to close, before the gateway's drain
 * (its process may be cut before the drain ends; nothing publishes any more once the benchmark stops the server).
 */
export async function startOnEngine(
  env: Record<string, string>,
  engine: 'memory' | 'redis',
  name: string,
): Promise<BenchServer> {
  const prefix = engine === 'redis' ? benchRedisPrefix(name) : undefined;
  const redisEnv: Record<string, string> =
    prefix === undefined ? {} : { REDIS_URL: benchRedisUrl(), REDIS_KEY_PREFIX: prefix };
  const gateway = await createChatApp(benchConfig({}, { ...env, HISTORY_ENGINE: engine, ...redisEnv }));
  await gateway.listen();
  return {
    url: gateway.url,
    close: async () => {
      if (prefix !== undefined) await wipePrefix(benchRedisUrl(), prefix);
      await gateway.close();
    },
  };
}

const HISTORY_ENV = { CHANNEL_DEFAULTS: JSON.stringify({ ...OPEN_CHANNELS, ...BENCH_HISTORY }) };

export function startTarsWsHistory(): Promise<BenchServer> {
  return startOnEngine(HISTORY_ENV, 'memory', 'fanout-history');
}

export function startTarsWsHistoryRedis(): Promise<BenchServer> {
  return startOnEngine(HISTORY_ENV, 'redis', 'fanout-history');
}
