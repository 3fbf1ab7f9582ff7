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
export function benchRedisPrefix(name: string): string {
  return `tars-ws-bench:${process.pid}-${randomBytes(4).toString('hex')}:${name}:`;
}

/**
 * Starts the chat gateway with `env` on top of the bench config; with `redisPrefix`, the keys under it are wiped
 * when the server is asked to close, before the gateway's drain (its process may be cut before the drain ends;
 * nothing publishes any more once the benchmark stops the server).
 */
export async function startWithEnv(env: Record<string, string>, redisPrefix?: string): Promise<BenchServer> {
  const gateway = await createChatApp(benchConfig({}, env));
  await gateway.listen();
  return {
    url: gateway.url,
    close: async () => {
      if (redisPrefix !== undefined) await wipePrefix(benchRedisUrl(), redisPrefix);
      await gateway.close();
    },
  };
}

function historyEnv(engine: 'memory' | 'redis'): Record<string, string> {
  return {
    CHANNEL_DEFAULTS: JSON.stringify({ ...OPEN_CHANNELS, ...BENCH_HISTORY }),
    HISTORY_ENGINE: engine,
  };
}

export function startTarsWsHistory(): Promise<BenchServer> {
  return startWithEnv(historyEnv('memory'));
}

export function startTarsWsHistoryRedis(): Promise<BenchServer> {
  const prefix = benchRedisPrefix('fanout-history');
  return startWithEnv(
    { ...historyEnv('redis'), REDIS_URL: benchRedisUrl(), REDIS_KEY_PREFIX: prefix },
    prefix,
  );
}
