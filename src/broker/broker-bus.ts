/**
 * What every multi-process broker does the same way, whatever carries the bytes (Redis, the in-memory double):
 * deliver to this process's receivers at once (so local delivery works when the bus is down), send the message
 * once to the bus, route a send to one connection to its holder's channel only, skip our own echo, and count and
 * log (rate-limited) what fails. Backends implement only {@link BusBroker.transmit} and call
 * {@link BusBroker.receive}.
 */
import { ErrorCode, GatewayError } from '../errors.js';
import { processOfConn, type ProcessIndex } from '../types.js';
import { decodeBrokerMessage, encodeBrokerMessage } from './broker-codec.js';
import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

/** Where a message goes on the bus: to every process, or to one process's own channel. */
export type BusTarget = { to: 'all' } | { to: 'process'; process: ProcessIndex };

/** Counters of a cluster broker since it opened. */
export interface BusBrokerStats {
  /** Messages handed to the bus. */
  published: number;
  /** Publishes that could not reach the bus (delivered locally only), or that the bus reported failed later. */
  publishFailures: number;
  /** Messages from other processes delivered here. */
  received: number;
  /** Our own messages coming back from the bus, skipped. */
  echoes: number;
  /** Bus messages that could not be parsed, skipped. */
  malformed: number;
}

export interface BrokerLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** At most one "publish failed" line per this period; the count in between goes into the next line. */
const FAILURE_LOG_EVERY_MS = 10_000;

export abstract class BusBroker implements Broker {
  readonly processIndex: ProcessIndex;
  readonly stats: BusBrokerStats = {
    published: 0,
    publishFailures: 0,
    received: 0,
    echoes: 0,
    malformed: 0,
  };
  protected readonly logger: BrokerLogger;
  #handler: BrokerHandler | undefined;
  #lastFailureLog = -Infinity;
  #failuresSinceLog = 0;

  protected constructor(processIndex: ProcessIndex, logger: BrokerLogger) {
    this.processIndex = processIndex;
    this.logger = logger;
  }

  /**
   * Delivers to this process's receivers before anything else, then hands the message to the bus once. Resolves as
   * soon as it has left, without waiting for the bus's acknowledgement: a burst of publishes from one connection
   * then runs in one event-loop turn, and the writes to each receiver are batched. Rejects with
   * GatewayError(UPSTREAM_ERROR) when the bus is unreachable (the local receivers got the message anyway). Every
   * failure, including one reported later by the bus, is counted in `stats.publishFailures` and logged at most
   * once every 10 s.
   */
  publish(msg: BrokerMessage): Promise<void> {
    if (msg.kind === 'conn') {
      const holder = processOfConn(msg.conn);
      if (holder === this.processIndex) {
        this.#deliver(msg);
        return Promise.resolve();
      }
      return this.#send({ to: 'process', process: holder }, msg);
    }
    this.#deliver(msg);
    return this.#send({ to: 'all' }, msg);
  }

  subscribe(handler: BrokerHandler): void {
    this.#handler = handler;
  }

  abstract close(): Promise<void>;

  /**
   * Sends one encoded message. Throws at once when the bus is known to be unreachable; otherwise returns the bus's
   * acknowledgement, which may still reject (connection cut while the message was in flight).
   */
  protected abstract transmit(target: BusTarget, text: string): Promise<void>;

  /** Backends call this with every text that arrives from the bus. */
  protected receive(text: string): void {
    const envelope = decodeBrokerMessage(text);
    if (!envelope) {
      this.stats.malformed++;
      return;
    }
    if (envelope.publisher === this.processIndex) {
      this.stats.echoes++;
      return;
    }
    this.stats.received++;
    this.#deliver(envelope.msg);
  }

  #deliver(msg: BrokerMessage): void {
    try {
      this.#handler?.(msg);
    } catch (err) {
      // A receiver's failure must not turn into a failed publish, nor stop the subscriber connection.
      this.logger.warn({ err: (err as Error).message, kind: msg.kind }, 'broker handler failed');
    }
  }

  #send(target: BusTarget, msg: BrokerMessage): Promise<void> {
    let acknowledged: Promise<void>;
    try {
      acknowledged = this.transmit(target, encodeBrokerMessage(this.processIndex, msg));
    } catch (err) {
      this.#failed(err);
      return Promise.reject(
        new GatewayError(ErrorCode.Upstream, 'broker is unavailable: delivered on this node only', {
          cause: err,
        }),
      );
    }
    this.stats.published++;
    acknowledged.catch((err: unknown) => this.#failed(err));
    return Promise.resolve();
  }

  #failed(err: unknown): void {
    this.stats.publishFailures++;
    this.#failuresSinceLog++;
    const now = performance.now();
    if (now - this.#lastFailureLog < FAILURE_LOG_EVERY_MS) return;
    this.logger.warn(
      { failures: this.#failuresSinceLog, total: this.stats.publishFailures, err: (err as Error).message },
      'broker: publish failed, delivered to this process only',
    );
    this.#lastFailureLog = now;
    this.#failuresSinceLog = 0;
  }
}
