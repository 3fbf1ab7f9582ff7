/**
 * Fan-out between gateway processes on any number of machines through NATS core pub/sub, the alternative to Redis
 * for deployments that already run NATS. Room sends and broadcasts go to one subject every process listens to; a
 * send to one connection goes to its holder's own subject. Each process delivers its own publishes locally at once
 * (see {@link BusBroker}) and the server does not echo them back (`noEcho`), so every receiver gets each message
 * exactly once, and local delivery goes on while NATS is down.
 */
import type { ConnectionOptions, Subscription } from 'nats';
import { NatsLink, NatsSubjects, quietNatsLogger, type NatsLogger } from './nats-client.js';
import { ProcessClaim } from './process-claim.js';
import type { ProcessIndex } from '../types.js';
import { BusBroker, type BusTarget } from '../broker/broker-bus.js';

export interface NatsBrokerOptions {
  /** `nats://[user:password@ or token@]host[:port]` (`tls://` requires TLS); several comma-separated for a cluster. */
  url: string;
  /** Prefix of the subjects and of the KV bucket: dot-separated tokens of `[A-Za-z0-9_-]`. Default `tars-ws`. */
  subjectPrefix?: string;
  /**
   * This process's index, unique in the deployment (e.g. RedisRoomStore.processIndex). When absent the broker
   * claims one in the JetStream KV bucket `<prefix>_processes` and holds it until {@link NatsBroker.close}.
   */
  processIndex?: ProcessIndex;
  /** TTL of a claimed index: a process dead this long frees it. Default 15000 ms (set at the bucket's creation). */
  claimTtlMs?: number;
  logger?: NatsLogger;
  /** Extra nats.js connection options (tests use them to shorten timeouts). */
  nats?: Partial<ConnectionOptions>;
}

/**
 * NATS {@link Broker}. One connection both publishes and listens; nats.js subscribes again by itself after a
 * reconnection. While disconnected, publishes fail at once (counted and logged by BusBroker) instead of being
 * queued: nats.js would discard that queue at the next reconnection attempt anyway, and a push is live data.
 *
 * @example
 * const broker = await NatsBroker.open({ url: 'nats://127.0.0.1:4222' });
 * const gateway = await Gateway.create(config, { broker, processIndex: broker.processIndex });
 */
export class NatsBroker extends BusBroker {
  readonly subjects: NatsSubjects;
  readonly #link: NatsLink;

  /** True while the NATS connection is up. */
  get connected(): boolean {
    return this.#link.connected;
  }
  readonly #claim: ProcessClaim | undefined;
  readonly #subs: Subscription[];
  #closed = false;

  private constructor(
    link: NatsLink,
    subjects: NatsSubjects,
    processIndex: ProcessIndex,
    claim: ProcessClaim | undefined,
    logger: NatsLogger,
  ) {
    super(processIndex, logger);
    this.#link = link;
    this.subjects = subjects;
    this.#claim = claim;
    const callback = (err: Error | null, msg: { string(): string }): void => {
      if (err) {
        logger.warn({ err: err.message }, 'nats subscription error');
        return;
      }
      this.receive(msg.string());
    };
    this.#subs = [subjects.fanout, subjects.process(processIndex)].map((subject) =>
      link.nc.subscribe(subject, { callback }),
    );
  }

  /**
   * Connects (retrying for up to 10 s), claims a process index unless one is given, subscribes, and resolves once
   * the server has the subscriptions. Rejects if NATS cannot be reached, or (when claiming) has no JetStream.
   */
  static async open(options: NatsBrokerOptions): Promise<NatsBroker> {
    const subjects = new NatsSubjects(options.subjectPrefix ?? 'tars-ws');
    const logger = options.logger ?? quietNatsLogger;
    const link = await NatsLink.connect({
      url: options.url,
      name: `${subjects.prefix}:p${options.processIndex ?? 'claim'}`,
      logger,
      ...(options.nats ? { nats: options.nats } : {}),
    });
    let claim: ProcessClaim | undefined;
    try {
      let processIndex = options.processIndex;
      if (processIndex === undefined) {
        claim = await ProcessClaim.take(
          link.nc,
          subjects.processBucket,
          options.claimTtlMs ?? 15_000,
          logger,
        );
        processIndex = claim.index;
      }
      const broker = new NatsBroker(link, subjects, processIndex, claim, logger);
      // The server handles SUB before the PING of a flush: once it answers, no message to us can be missed.
      await link.nc.flush();
      return broker;
    } catch (err) {
      await claim?.release();
      await link.close();
      throw err;
    }
  }

  protected transmit(target: BusTarget, text: string): Promise<void> {
    // Not connected: fail now; nats.js would buffer the message and drop it at the next reconnection attempt.
    if (!this.#link.connected) throw new Error('nats connection is down');
    const subject = target.to === 'all' ? this.subjects.fanout : this.subjects.process(target.process);
    // Core NATS has no acknowledgement; a payload over the server's max_payload throws here.
    this.#link.nc.publish(subject, text);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.subscribe(() => undefined);
    for (const sub of this.#subs) sub.unsubscribe();
    await this.#claim?.release();
    await this.#link.close();
  }
}
