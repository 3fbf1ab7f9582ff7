/**
 * Gives every gateway process of a deployment its own ProcessIndex (connection ids derive from it), whichever
 * machine it runs on: a shared counter (`INCR <prefix>process-seq`), and a claim on the index's liveness key so that
 * an index still in use is never handed out twice, even after the counter wrapped or Redis restarted empty.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { MAX_PROCESS_INDEX, type ProcessIndex } from '../types.js';
import type { RedisKeys } from './keys.js';
import type { RedisClient } from './redis-client.js';

/** A random token that marks this process's liveness keys as its own. */
export function newProcessToken(): string {
  return randomUUID();
}

const MAX_ATTEMPTS = 1000;
const FRESH_JUMP = 1_000_000;

/**
 * Allocates an index from 1 to MAX_PROCESS_INDEX (0 is left to standalone processes) and claims its liveness key
 * for `ttlMs`; the caller must keep it alive (see {@link Liveness}) or it may be reused once expired.
 */
export async function allocateProcessIndex(
  client: RedisClient,
  keys: RedisKeys,
  ttlMs: number,
  token: string,
): Promise<ProcessIndex> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let n = await client.incr(keys.processSeq);
    // A fresh counter (new deployment, or Redis restarted empty while processes live on): jump to a random point,
    // so a process starting before the live ones re-claimed their indexes does not take one of them.
    if (n === 1) n = await client.incrby(keys.processSeq, randomInt(1, FRESH_JUMP));
    const index = ((n - 1) % MAX_PROCESS_INDEX) + 1;
    if ((await client.set(keys.alive(index), token, 'PX', ttlMs, 'NX')) === 'OK') return index;
  }
  throw new Error(`no free process index after ${MAX_ATTEMPTS} attempts under ${keys.processSeq}`);
}
