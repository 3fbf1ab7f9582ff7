/**
 * Gives a gateway process a deployment-unique ProcessIndex through NATS alone, for deployments without Redis: a
 * JetStream KV bucket whose keys are claimed indexes. `create` is atomic (it fails when the key exists), so two
 * processes never hold the same index; the bucket's TTL expires the claim of a process that died without
 * releasing it, and a live process refreshes its claim every third of the TTL.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { KV, NatsConnection } from 'nats';
import { MAX_PROCESS_INDEX, type ProcessIndex } from '../types.js';
import type { NatsLogger } from './nats-client.js';

const MAX_ATTEMPTS = 100;

/** JetStream's answer when the key's revision is not the one expected (someone else wrote it, or it expired). */
function isWrongRevision(err: unknown): boolean {
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}

/** This process's claim on its index, held until {@link release}. */
export class ProcessClaim {
  readonly #token = randomUUID();
  #revision = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly index: ProcessIndex,
    readonly kv: KV,
    readonly ttlMs: number,
    readonly logger: NatsLogger,
  ) {}

  /**
   * Claims a free index from 1 to MAX_PROCESS_INDEX (0 is left to standalone processes) in bucket `bucket`,
   * creating the bucket with `ttlMs` as its TTL if needed (an existing bucket keeps its own TTL), and keeps the
   * claim alive. Indexes are drawn at random: with a few thousand processes at most, a draw rarely collides, and a
   * collision only costs another draw.
   */
  static async take(
    nc: NatsConnection,
    bucket: string,
    ttlMs: number,
    logger: NatsLogger,
  ): Promise<ProcessClaim> {
    const kv = await nc.jetstream().views.kv(bucket, { ttl: ttlMs, history: 1 });
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const claim = new ProcessClaim(randomInt(1, MAX_PROCESS_INDEX + 1), kv, ttlMs, logger);
      try {
        claim.#revision = await kv.create(String(claim.index), claim.#token);
      } catch (err) {
        if (isWrongRevision(err)) continue;
        throw err;
      }
      claim.#timer = setInterval(() => void claim.refresh().catch(() => undefined), Math.floor(ttlMs / 3));
      claim.#timer.unref();
      return claim;
    }
    throw new Error(`no free process index after ${MAX_ATTEMPTS} attempts in KV bucket ${bucket}`);
  }

  /**
   * Writes the claim again (resetting its TTL), only if it is still ours. A claim that expired (NATS was
   * unreachable or emptied for longer than the TTL) is taken again; one another process took meanwhile is kept
   * and logged, as the Redis backend does: the index cannot change while connections carry it. Rejects when NATS
   * is unreachable (the next period retries).
   */
  async refresh(): Promise<void> {
    const key = String(this.index);
    try {
      this.#revision = await this.kv.update(key, this.#token, this.#revision);
      return;
    } catch (err) {
      if (!isWrongRevision(err)) throw err;
    }
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') {
      this.#revision = await this.kv.create(key, this.#token);
      this.logger.warn(
        { processIndex: this.index },
        'process index claim had expired in NATS; claimed again',
      );
    } else if (entry.string() === this.#token) {
      this.#revision = entry.revision;
    } else {
      this.logger.warn(
        { processIndex: this.index },
        'another process claimed this process index (its claim expired in NATS); keeping it',
      );
    }
  }

  /** Stops refreshing and deletes the claim if it is still ours, so the index is free at once. Never rejects. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.kv.delete(String(this.index), { previousSeq: this.#revision }).catch(() => undefined);
  }
}
