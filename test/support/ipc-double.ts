/**
 * node:cluster in one process: a primary that answers its workers' channels the way the Supervisor does (store
 * requests run on its room store with `answerStoreOp`, history and presence requests on its EngineHost, publishes
 * relayed by `relayReaches`), so IpcRoomStore, IpcHistoryStore, IpcPresenceStore and ClusterBroker run their
 * conformance suites without forking. Messages cross as JSON, asynchronously and in order,
 * like cluster IPC. A channel can be cut, and the primary can stop answering, to test timeouts and outages.
 *
 * `const ipc = new IpcDouble(); new IpcRoomStore(1000, ipc.worker(1))`
 */
import {
  answerStoreOp,
  isWorkerMessage,
  relayReaches,
  type IpcChannel,
  type PrimaryToWorker,
  type WorkerToPrimary,
} from '../../src/cluster/ipc.js';
import { EngineHost } from '../../src/cluster/engine-host.js';
import { MemoryHistoryStore } from '../../src/history/history-store-memory.js';
import { MemoryPresenceStore } from '../../src/presence/presence-store-memory.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import type { RoomStore } from '../../src/store/room-store.js';
import type { ProcessIndex } from '../../src/types.js';

/** A worker's end of the channel. */
export class WorkerChannel implements IpcChannel {
  readonly processIndex: ProcessIndex;
  #connected = true;
  readonly #listeners = new Set<(message: unknown) => void>();
  readonly #primary: IpcDouble;

  constructor(primary: IpcDouble, processIndex: ProcessIndex) {
    this.#primary = primary;
    this.processIndex = processIndex;
  }

  get connected(): boolean {
    return this.#connected;
  }

  send(message: WorkerToPrimary): void {
    // process.send on a closed channel fails too: callers must look at `connected` first.
    if (!this.#connected) throw new Error('IPC channel closed');
    const copy = crossing(message);
    setImmediate(() => this.#primary.receive(this, copy));
  }

  on(_event: 'message', listener: (message: unknown) => void): void {
    this.#listeners.add(listener);
  }

  off(_event: 'message', listener: (message: unknown) => void): void {
    this.#listeners.delete(listener);
  }

  /** Cuts the channel, as when the primary dies: nothing more crosses in either direction. */
  disconnect(): void {
    this.#connected = false;
  }

  /** Number of listeners registered (a closed store or broker removes its own). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** @internal The primary sends `message` to this worker. */
  deliver(message: PrimaryToWorker | Record<string, unknown>): void {
    if (!this.#connected) return;
    const copy = crossing(message);
    setImmediate(() => {
      if (!this.#connected) return;
      for (const listener of [...this.#listeners]) listener(copy);
    });
  }
}

/** The primary and its workers' channels. */
export class IpcDouble {
  readonly store: RoomStore;
  /** The machine's memory history and presence, as the Supervisor hosts them. */
  readonly engines = new EngineHost(new MemoryHistoryStore(), new MemoryPresenceStore());
  /** False: the primary takes store requests and never answers them (a primary stuck or overloaded). */
  answering = true;
  /** Every message the workers sent, in arrival order. */
  readonly received: WorkerToPrimary[] = [];
  readonly #workers = new Map<ProcessIndex, WorkerChannel>();

  /** @param store the primary's room store (default: a new MemoryRoomStore, as in the Supervisor). */
  constructor(store: RoomStore = new MemoryRoomStore()) {
    this.store = store;
  }

  /** The channel of worker `processIndex`, created on first use. */
  worker(processIndex: ProcessIndex): WorkerChannel {
    let channel = this.#workers.get(processIndex);
    if (!channel) this.#workers.set(processIndex, (channel = new WorkerChannel(this, processIndex)));
    return channel;
  }

  /** @internal A worker's message arrives. */
  receive(from: WorkerChannel, m: unknown): void {
    if (!isWorkerMessage(m)) return;
    this.received.push(m);
    if (m.tws === 'publish') {
      for (const to of this.#workers.values()) {
        if (relayReaches(m.target, m.from, to.processIndex)) to.deliver({ tws: 'deliver', text: m.text });
      }
    } else if (m.tws === 'store' && this.answering) {
      void answerStoreOp(this.store, m.id, m.op, m.args).then((reply) => from.deliver(reply));
    } else if (m.tws === 'engine' && this.answering) {
      void this.engines.answer(from.processIndex, m.id, m.op, m.args).then((reply) => from.deliver(reply));
    }
  }

  /** Worker `processIndex` dies: its channel is cut and the primary cleans up after it, as the Supervisor does. */
  async killWorker(processIndex: ProcessIndex): Promise<void> {
    this.worker(processIndex).disconnect();
    await this.engines.workerGone(processIndex);
  }

  async close(): Promise<void> {
    for (const w of this.#workers.values()) w.disconnect();
    await this.store.close();
    await this.engines.close();
  }
}

/** What crosses a cluster IPC channel: a JSON copy (`serialization: 'json'`, node:cluster's default). */
function crossing<T>(message: T): T {
  return JSON.parse(JSON.stringify(message)) as T;
}
