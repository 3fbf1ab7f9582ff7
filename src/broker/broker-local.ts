/** The single-process broker: publishing is a direct, synchronous call of the handler. */
import type { BrokerLogger } from './broker-bus.js';
import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

const stderrLogger: BrokerLogger = {
  warn: (details, message) => process.stderr.write(`[local-broker] ${message} ${JSON.stringify(details)}\n`),
};

export class LocalBroker implements Broker {
  #handler: BrokerHandler | undefined;
  readonly #logger: BrokerLogger;

  /** @param logger where a failing handler is reported (default: one line on stderr). */
  constructor(logger: BrokerLogger = stderrLogger) {
    this.#logger = logger;
  }

  publish(msg: BrokerMessage): Promise<void> {
    try {
      this.#handler?.(msg);
    } catch (err) {
      // Like the bus brokers: a receiver's failure is not a failed publish (the message did leave).
      this.#logger.warn({ err: (err as Error).message, kind: msg.kind }, 'broker handler failed');
    }
    return Promise.resolve();
  }

  subscribe(handler: BrokerHandler): void {
    this.#handler = handler;
  }

  close(): Promise<void> {
    this.#handler = undefined;
    return Promise.resolve();
  }
}
