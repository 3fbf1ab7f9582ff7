/**
 * Servers of the recovery benchmark (bench/recovery.ts), `tars-ws-recovery` and `tars-ws-recovery-redis`: the
 * bench gateway with a namespace `ns` that keeps history and forces recovery, on the memory engine or on Redis
 * (`BENCH_REDIS_URL`, a key prefix of its own, wiped at stop).
 */
import type { BenchServer } from './server.js';
import { benchRedisPrefix, benchRedisUrl, startWithEnv } from './tars-ws-history-server.js';
import { OPEN_CHANNELS } from './tars-ws-server.js';

/** The namespace of the recovery benchmark: channels `ns:...`. */
export const RECOVERY_NAMESPACE = 'ns';

function recoveryEnv(engine: 'memory' | 'redis'): Record<string, string> {
  const ns = {
    name: RECOVERY_NAMESPACE,
    ...OPEN_CHANNELS,
    // Above the benchmark's largest burst of missed messages (--missed at most 300, the publication limit).
    historySize: 1000,
    historyTtlMs: 300_000,
    forceRecovery: true,
  };
  return { NAMESPACES: JSON.stringify([ns]), HISTORY_ENGINE: engine };
}

export function startTarsWsRecovery(): Promise<BenchServer> {
  return startWithEnv(recoveryEnv('memory'));
}

export function startTarsWsRecoveryRedis(): Promise<BenchServer> {
  const prefix = benchRedisPrefix('recovery');
  return startWithEnv(
    { ...recoveryEnv('redis'), REDIS_URL: benchRedisUrl(), REDIS_KEY_PREFIX: prefix },
    prefix,
  );
}
