/**
 * Removes the memberships of dead processes (killed with -9, machine lost): a process whose liveness key expired
 * has every connection it held taken out of every room. Every gateway process runs a sweeper; a short lock lets one
 * of them work per period, so the cost does not grow with the number of processes.
 */
import type { ProcessIndex } from '../types.js';
import type { RedisKeys } from './keys.js';
import type { RedisClient, RedisLogger } from './redis-client.js';
import type { StoreScripts } from './scripts.js';

/** Connections removed per script call, so Redis is never blocked long by one big dead process. */
const SWEEP_BATCH = 500;

export class Sweeper {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(
    readonly client: RedisClient,
    readonly scripts: StoreScripts,
    readonly keys: RedisKeys,
    readonly ttlMs: number,
    readonly token: string,
    readonly logger: RedisLogger,
  ) {}

  /** Sweeps every half TTL, so a dead process's memberships are gone at most 1.5 x nodeTtlMs after its death. */
  start(): void {
    const every = Math.floor(this.ttlMs / 2);
    this.#timer = setInterval(() => {
      if (!this.#running) void this.sweep(true).catch(() => undefined);
    }, every);
    this.#timer.unref();
  }

  stop(): Promise<unknown> {
    clearInterval(this.#timer);
    return this.#running ?? Promise.resolve();
  }

  /**
   * One full pass, started after any pass already running: removes the memberships of every process without a
   * liveness key; resolves the number of connections this pass removed (other processes' sweepers may have taken
   * some first). With `locked`, does nothing unless it wins the deployment-wide lock for this period.
   */
  async sweep(locked = false): Promise<number> {
    while (this.#running) await this.#running.catch(() => undefined);
    const pass = this.#sweep(locked).finally(() => (this.#running = undefined));
    this.#running = pass;
    return pass;
  }

  async #sweep(locked: boolean): Promise<number> {
    if (this.client.status !== 'ready') return 0;
    if (locked) {
      const lockMs = Math.max(1, Math.floor(this.ttlMs / 2) - 50);
      if ((await this.client.set(this.keys.sweepLock, this.token, 'PX', lockMs, 'NX')) !== 'OK') return 0;
    }
    // One round trip finds the dead: only those cost script calls.
    const procs = await this.client.smembers(this.keys.procs);
    if (procs.length === 0) return 0;
    const check = this.client.pipeline();
    for (const member of procs) check.exists(this.keys.alive(Number(member)));
    const alive = ((await check.exec()) ?? []).map(([err, n]) => err !== null || n === 1);
    let removed = 0;
    for (const [i, member] of procs.entries()) {
      if (alive[i]) continue;
      const proc: ProcessIndex = Number(member);
      let left: number;
      let swept = 0;
      do {
        const before = await this.client.scard(this.keys.procConns(proc));
        left = Number(
          await this.scripts.sweep(
            this.keys.procConns(proc),
            this.keys.alive(proc),
            this.keys.rooms,
            this.keys.procs,
            this.keys.prefix,
            member,
            SWEEP_BATCH,
          ),
        );
        if (left >= 0) swept += before - left;
      } while (left > 0);
      if (swept > 0) {
        this.logger.info({ proc, connections: swept }, 'removed the memberships of a dead process');
      }
      removed += swept;
    }
    return removed;
  }
}
