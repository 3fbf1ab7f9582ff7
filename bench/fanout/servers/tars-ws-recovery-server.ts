/**
 * Servers of the recovery benchmark (bench/recovery.ts), `tars-ws-recovery` and `tars-ws-recovery-redis`: the
 * bench gateway with a namespace `ns` that keeps history and forces recovery, on the memory engine or on Redis
 * (`BENCH_REDIS_URL`, a key prefix of its own, wiped at stop).
 */
import type { BenchServer } from './server.js';
import { startOnEngine } from './tars-ws-history-server.js';
import { OPEN_CHANNELS } from './tars-ws-server.js';

/** The namespace of the recovery benchmark: channels `ns:...`. */
export const RECOVERY_NAMESPACE = 'ns';

const NAMESPACE = {
  name: RECOVERY_NAMESPACE,
  ...OPEN_CHANNELS,
  // Above the benchmark's largest burst of missed messages (--missed at most 300, the publication limit).
  historySize: 1000,
  historyTtlMs: 300_000,
  forceRecovery: true,
};
const RECOVERY_ENV = { NAMESPACES: JSON.stringify([NAMESPACE]) };

export function startTarsWsRecovery(): Promise<BenchServer> {
  return startOnEngine(RECOVERY_ENV, 'memory', 'recovery');
}

export function startTarsWsRecoveryRedis(): Promise<BenchServer> {
  return startOnEngine(RECOVERY_ENV, 'redis', 'recovery');
}
