/** Opens the stat store a configuration names: `memory` (default) or a `redis://` URL. */
import { ConfigError } from '../../errors.js';
import type { RedisLogger } from '../../redis/index.js';
import { MemoryStatStore } from '../../stats/stat-store-memory.js';
import type { StatStore } from '../../stats/stat-store.js';

/**
 * @param spec `memory`, '' or undefined for the memory store; `redis://host:port[/db]` for Redis.
 * @param keyPrefix Redis key prefix; give each server its own, e.g. `tars-ws:stats:Demo.WsServer:`.
 * @throws ConfigError (key `statStore`) for anything else.
 */
export async function openStatStore(
  spec: string | undefined,
  options: { keyPrefix?: string; logger?: RedisLogger } = {},
): Promise<StatStore> {
  if (spec === undefined || spec === '' || spec === 'memory') return new MemoryStatStore();
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const { RedisStatStore } = await import('../../redis/index.js');
    return RedisStatStore.open({ url: spec, keyPrefix: options.keyPrefix, logger: options.logger });
  }
  throw new ConfigError('statStore', `expected "memory" or a redis:// URL, got ${JSON.stringify(spec)}`);
}
