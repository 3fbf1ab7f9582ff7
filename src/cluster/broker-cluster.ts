/**
 * The broker of a cluster worker: publishes go to the primary over IPC, which relays them to the other workers
 * (a send to one connection only to the worker that holds it); this worker's own receivers get them at once.

 */
import { isPrimaryMessage, type WorkerToPrimary } from './ipc.js';
import { ErrorCode, GatewayError } from '../errors.js';
import { processOfConn, type ProcessIndex } from '../types.js';
import type { Broker, BrokerHandler, BrokerMessage } from '../broker/broker.js';

export class ClusterBroker implements Broker {
  readonly processIndex: ProcessIndex;
  #handler: BrokerHandler | undefined;
  readonly #onMessage = (m: unknown): void => {
    if (!isPrimaryMessage(m) || m.tws !== 'deliver') return;
    this.#handler?.(m.msg);
  };

  constructor(processIndex: ProcessIndex) {
    if (!process.send) throw new Error('ClusterBroker runs only in a cluster worker (no IPC channel)');
    this.processIndex = processIndex;
    process.on('message', this.#onMessage);
  }

  publish(msg: BrokerMessage): Promise<void> {
    const local = msg.kind !== 'conn' || processOfConn(msg.conn) === this.processIndex;
    if (local) this.#handler?.(msg);
    if (msg.kind === 'conn' && local) return Promise.resolve();
    if (!process.connected) {
      return Promise.reject(new GatewayError(ErrorCode.Upstream, 'cluster primary is unreachable'));
    }
    const out: WorkerToPrimary = { tws: 'publish', from: this.processIndex, msg };
    process.send?.(out);
    return Promise.resolve();
  }

  subscribe(handler: BrokerHandler): void {
    this.#handler = handler;
  }

  close(): Promise<void> {
    process.off('message', this.#onMessage);
    this.#handler = undefined;
    return Promise.resolve();
  }
}
