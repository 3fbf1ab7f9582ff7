/** The single-process broker: publishing is a direct, synchronous call of the handler. */
import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

export class LocalBroker implements Broker {
  #handler: BrokerHandler | undefined;

  publish(msg: BrokerMessage): Promise<void> {
    this.#handler?.(msg);
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
