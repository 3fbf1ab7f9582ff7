/**
 * An in-process stand-in for a shared bus (Redis pub/sub): several brokers, one per simulated process, exchange
 * messages through a {@link MemoryBus} with the same protocol code as the Redis broker. Used by the broker
 * conformance suite and by multi-node tests that run in one process; it can also simulate an outage.
 */
import type { ProcessIndex } from '../types.js';
import { BusBroker, type BrokerLogger, type BusTarget } from './broker-bus.js';

/** The shared bus. Delivery to other processes is asynchronous (like a network) and keeps publish order. */
export class MemoryBus {
  readonly #members = new Map<ProcessIndex, MemoryBusBroker>();
  /** False simulates an unreachable bus: publishes fail, nothing is carried. */
  up = true;

  /** A broker for the simulated process `processIndex` on this bus. */
  broker(processIndex: ProcessIndex, logger: BrokerLogger = { warn() {} }): MemoryBusBroker {
    if (this.#members.has(processIndex)) throw new Error(`process ${processIndex} is already on the bus`);
    const broker = new MemoryBusBroker(this, processIndex, logger);
    this.#members.set(processIndex, broker);
    return broker;
  }

  /** @internal */
  carry(target: BusTarget, text: string): Promise<void> {
    if (!this.up) throw new Error('memory bus is down');
    const receivers =
      target.to === 'all'
        ? [...this.#members.values()]
        : [this.#members.get(target.process)].filter((b) => !!b);
    setImmediate(() => {
      for (const broker of receivers) broker.arrive(text);
    });
    return Promise.resolve();
  }

  /** @internal */
  leave(broker: MemoryBusBroker): void {
    if (this.#members.get(broker.processIndex) === broker) this.#members.delete(broker.processIndex);
  }
}

export class MemoryBusBroker extends BusBroker {
  readonly #bus: MemoryBus;
  #closed = false;

  constructor(bus: MemoryBus, processIndex: ProcessIndex, logger: BrokerLogger) {
    super(processIndex, logger);
    this.#bus = bus;
  }

  /** @internal Called by the bus. */
  arrive(text: string): void {
    if (!this.#closed) this.receive(text);
  }

  protected transmit(target: BusTarget, text: string): Promise<void> {
    if (this.#closed) throw new Error('broker is closed');
    return this.#bus.carry(target, text);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#bus.leave(this);
    return Promise.resolve();
  }
}
