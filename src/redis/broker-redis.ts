/**
 * Fan-out between gateway processes on any number of machines through Redis pub/sub. Room sends and broadcasts go
 * to one channel every process listens to; a send to one connection goes to its holder's own channel. Each process
 * delivers its own publishes locally at once and skips their echo (see {@link BusBroker}), so every receiver
 * gets each message exactly once, and local delivery goes on while Redis is down.
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { RedisKeys } from './keys.js';
import { closeRedis, connectRedis, isCluster, quietRedisLogger, type RedisLogger } from './redis-client.js';
import type { ProcessIndex } from '../types.js';
import { BusBroker, type BusTarget } from '../broker/broker-bus.js';

export interface RedisBrokerOptions {
  /** `redis://[user:password@]host:port[/db]`; a cluster node or several comma-separated seeds open a cluster. */
  url: string;
  /** Prefix of the channel names. Default `tars-ws:`. */
  keyPrefix?: string;
  /** This process's index: unique in the deployment (see RedisRoomStore.processIndex / allocateProcessIndex). */
  processIndex: ProcessIndex;
  /**
   * Sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+), for Redis Cluster, where classic PUBLISH is copied to every
   * shard. Default: on when the URL turns out to be a cluster. Every process of a deployment must use the same.
   */
  sharded?: boolean;
  logger?: RedisLogger;
  ioredis?: RedisOptions;
}

/** A standalone client or a Cluster client: both speak the commands used here. */
export type RedisPubSubClient = Redis | Cluster;

/**
 * Redis pub/sub {@link Broker}. Needs two connections: one publishes, one only listens (Redis puts a subscribed
 * connection in a mode where it can do nothing else); ioredis subscribes again by itself after a reconnection.
 *
 * @example
 * const broker = await RedisBroker.open({ url: 'redis://127.0.0.1:6379', processIndex: store.processIndex });
 */
export class RedisBroker extends BusBroker {
  readonly keys: RedisKeys;
  readonly sharded: boolean;
  readonly #pub: RedisPubSubClient;
  readonly #sub: RedisPubSubClient;
  readonly #ownsClients: boolean;
  #closed = false;

  private constructor(
    pub: RedisPubSubClient,
    sub: RedisPubSubClient,
    keys: RedisKeys,
    processIndex: ProcessIndex,
    sharded: boolean,
    logger: RedisLogger,
    ownsClients: boolean,
  ) {
    super(processIndex, logger);
    this.#pub = pub;
    this.#sub = sub;
    this.keys = keys;
    this.sharded = sharded;
    this.#ownsClients = ownsClients;
    const onMessage = (_channel: string, text: string): void => this.receive(text);
    sub.on(sharded ? 'smessage' : 'message', onMessage);
  }

  /** Connects the publishing and the listening connection and subscribes; rejects if Redis cannot be reached. */
  static async open(options: RedisBrokerOptions): Promise<RedisBroker> {
    const keys = new RedisKeys(options.keyPrefix ?? 'tars-ws:');
    const logger = options.logger ?? quietRedisLogger;
    const common = { url: options.url, logger, ...(options.ioredis ? { ioredis: options.ioredis } : {}) };
    const [pub, sub] = await Promise.all([
      // Auto-pipelining sends the publishes of one event-loop turn in one write (a burst costs one syscall) and,
      // on a cluster, keeps them in order.
      connectRedis({ ...common, name: `${keys.prefix}p${options.processIndex}:pub`, autoPipelining: true }),
      connectRedis({ ...common, name: `${keys.prefix}p${options.processIndex}:sub`, subscriber: true }),
    ]);
    try {
      // PUBLISH on a cluster is copied to every shard; sharded pub/sub keeps each channel on its own shard.
      const sharded = options.sharded ?? isCluster(pub);
      return await RedisBroker.fromClients(pub, sub, { ...options, keyPrefix: keys.prefix, sharded }, true);
    } catch (err) {
      await Promise.all([closeRedis(pub), closeRedis(sub)]);
      throw err;
    }
  }

  /**
   * Builds a broker on clients you opened (e.g. an ioredis `Cluster` pair with `sharded: true`). The subscriber
   * client must be used for nothing else. `owns` says whether {@link close} ends them.
   */
  static async fromClients(
    pub: RedisPubSubClient,
    sub: RedisPubSubClient,
    options: Omit<RedisBrokerOptions, 'url' | 'ioredis'>,
    owns = false,
  ): Promise<RedisBroker> {
    const keys = new RedisKeys(options.keyPrefix ?? 'tars-ws:');
    const sharded = options.sharded ?? false;
    const broker = new RedisBroker(
      pub,
      sub,
      keys,
      options.processIndex,
      sharded,
      options.logger ?? quietRedisLogger,
      owns,
    );
    const channels = [keys.fanoutChannel, keys.processChannel(options.processIndex)];
    if (sharded) {
      // Each channel may live on another shard: one SSUBSCRIBE per channel.
      for (const channel of channels) await sub.ssubscribe(channel);
    } else {
      await sub.subscribe(...channels);
    }
    return broker;
  }

  /** True while both the publishing and the subscribing connection are up. */
  get connected(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  protected transmit(target: BusTarget, text: string): Promise<void> {
    // Not connected: fail now rather than let ioredis refuse the command a tick later.
    if (this.#pub.status !== 'ready') throw new Error(`redis publisher is ${this.#pub.status}`);
    const channel = target.to === 'all' ? this.keys.fanoutChannel : this.keys.processChannel(target.process);
    const sent = this.sharded ? this.#pub.spublish(channel, text) : this.#pub.publish(channel, text);
    return sent.then(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sub.removeAllListeners(this.sharded ? 'smessage' : 'message');
    this.subscribe(() => undefined);
    if (!this.#ownsClients) return;
    await Promise.all([closeRedis(this.#pub), closeRedis(this.#sub)]);
  }
}
