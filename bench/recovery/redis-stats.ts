/** Redis's own counters around a phase of the recovery benchmark: commands by name (INFO commandstats) and CPU. */
import { Redis } from 'ioredis';

/** Commands by name with their calls, and Redis's CPU seconds, at one moment. */
export interface RedisSample {
  calls: Map<string, number>;
  cpuSeconds: number;
}

/** What Redis did between two samples: calls by command (the benchmark's own INFO left out) and CPU µs. */
export interface RedisDelta {
  calls: Map<string, number>;
  total: number;
  cpuUs: number;
}

export async function sampleRedis(url: string): Promise<RedisSample> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const stats = await client.info('commandstats');
    const cpu = await client.info('cpu');
    const calls = new Map<string, number>();
    for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1] ?? '', Number(m[2]));
    const value = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
    return { calls, cpuSeconds: value('used_cpu_sys') + value('used_cpu_user') };
  } finally {
    client.disconnect();
  }
}

export function redisDelta(before: RedisSample, after: RedisSample): RedisDelta {
  const calls = new Map<string, number>();
  let total = 0;
  for (const [name, n] of after.calls) {
    // The samples' own INFO calls (and the connections' HELLO/CLIENT/SELECT) are the benchmark's, not the gateway's.
    if (name === 'info') continue;
    const d = n - (before.calls.get(name) ?? 0);
    if (d <= 0) continue;
    calls.set(name, d);
    total += d;
  }
  return { calls, total, cpuUs: (after.cpuSeconds - before.cpuSeconds) * 1e6 };
}
