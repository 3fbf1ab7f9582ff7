/**
 * The broker of a cluster worker: a {@link BusBroker} whose bus is the IPC channel to the primary. The primary
 * relays each encoded message as it came (the same string to every other worker; a send to one connection only to
 * the worker that holds it); this worker's own receivers get it at once, through the bus base, which also isolates
 * handler errors and counts and logs failed publishes.
 */
import { BusBroker, type BrokerLogger, type BusTarget } from '../broker/broker-bus.js';
import type { ProcessIndex } from '../types.js';
import { isPrimaryMessage, processChannel, type IpcChannel, type WorkerToPrimary } from './ipc.js';

const stderrLogger: BrokerLogger = {
  warn: (details, message) =>
    process.stderr.write(`[cluster-broker] ${message} ${JSON.stringify(details)}\n`),
};

export class ClusterBroker extends BusBroker {
  readonly #onMessage = (m: unknown): void => {
    if (isPrimaryMessage(m) && m.tws === 'deliver') this.receive(m.text);
  };

  readonly #channel: IpcChannel;

  /** @param channel the channel to the primary (default: this process's IPC channel). */
  constructor(
    processIndex: ProcessIndex,
    logger: BrokerLogger = stderrLogger,
    channel: IpcChannel | undefined = processChannel(),
  ) {
    if (!channel) throw new Error('ClusterBroker runs only in a cluster worker (no IPC channel)');
    super(processIndex, logger);
    this.#channel = channel;
    channel.on('message', this.#onMessage);
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#channel.connected;
  }

  protected transmit(target: BusTarget, text: string): Promise<void> {
    if (!this.#channel.connected) throw new Error('cluster primary is unreachable');
    const out: WorkerToPrimary = { tws: 'publish', from: this.processIndex, target, text };
    this.#channel.send(out);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#channel.off('message', this.#onMessage);
    return Promise.resolve();
  }
}
