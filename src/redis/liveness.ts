/**
 * Keeps this process's liveness keys alive: every third of the TTL it sets them again. A key found missing means
 * Redis lost it (restart, failover, or this process stalled past its TTL and was swept), so the owner is told to
 * register its memberships again.
 */
import type { ProcessIndex } from '../types.js';
import type { RedisKeys } from './keys.js';
import type { RedisClient, RedisLogger } from './redis-client.js';

export class Liveness {
  readonly #procs = new Set<ProcessIndex>();
  #timer: NodeJS.Timeout | undefined;

  /**
   * @param onLost called when a key had disappeared (the process's memberships may be gone with it).
   */
  constructor(
    readonly client: RedisClient,
    readonly keys: RedisKeys,
    readonly ttlMs: number,
    readonly token: string,
    readonly logger: RedisLogger,
    readonly onLost: () => void,
  ) {}

  /**
   * Adds a process whose connections this process holds. Normally only its own index; more if the gateway was given
   * another one, so that its memberships are never swept while it lives.
   */
  track(proc: ProcessIndex): void {
    if (this.#procs.has(proc)) return;
    this.#procs.add(proc);
    void this.refresh().catch(() => undefined);
  }

  get tracked(): ReadonlySet<ProcessIndex> {
    return this.#procs;
  }

  start(): void {
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), Math.floor(this.ttlMs / 3));
    this.#timer.unref();
  }

  /** Sets every key again; resolves true if one of them was missing. Rejects when Redis is unreachable. */
  async refresh(): Promise<boolean> {
    if (this.#procs.size === 0 || this.client.status !== 'ready') return false;
    const pipeline = this.client.pipeline();
    for (const proc of this.#procs) pipeline.set(this.keys.alive(proc), this.token, 'PX', this.ttlMs, 'GET');
    const replies = (await pipeline.exec()) ?? [];
    let lost = false;
    for (const [i, [err, previous]] of replies.entries()) {
      if (err) throw err;
      if (previous === null) lost = true;
      else if (previous !== this.token) {
        this.logger.warn(
          { proc: [...this.#procs][i], key: 'alive' },
          'another process claimed this process index (Redis restarted empty?); keeping it',
        );
      }
    }
    if (lost) this.onLost();
    return lost;
  }

  /** Stops refreshing and deletes the keys, so the sweeper removes whatever memberships are left at once. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#procs.size === 0 || this.client.status !== 'ready') return;
    await this.client.del(...[...this.#procs].map((p) => this.keys.alive(p))).catch(() => undefined);
  }
}
