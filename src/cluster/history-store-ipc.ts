/**
 * The history store of a cluster worker: every call runs on the primary's memory history store over IPC, so all
 * workers of a machine see one numbering of each channel's publications without any external service.
 */
import {
  checkAppendOptions,
  readLimit,
  type AppendOptions,
  type AppendResult,
  type HistoryStore,
  type PublicationInput,
  type ReadOptions,
  type ReadResult,
  type StreamPosition,
} from '../history/history-store.js';
import type { ChannelId } from '../presence/presence-store.js';
import type { IpcChannel } from './ipc.js';
import { IpcEngineCalls } from './ipc-calls.js';

export class IpcHistoryStore implements HistoryStore {
  readonly #calls: IpcEngineCalls;

  /**
   * @param timeoutMs how long to wait for the primary before failing a call (default 5000).
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(timeoutMs = 5000, channel?: IpcChannel) {
    this.#calls = new IpcEngineCalls('history', timeoutMs, channel);
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#calls.connected;
  }

  async append(channel: ChannelId, pub: PublicationInput, options: AppendOptions): Promise<AppendResult> {
    checkAppendOptions(options); // a RangeError here, as from every store, not a failure of the primary
    return this.#calls.run('history.append', [channel, pub, options]);
  }

  async read(channel: ChannelId, options: ReadOptions = {}): Promise<ReadResult> {
    readLimit(options);
    return this.#calls.run('history.read', [channel, options]);
  }

  position(channel: ChannelId): Promise<StreamPosition> {
    return this.#calls.run('history.position', [channel]);
  }

  async remove(channel: ChannelId): Promise<void> {
    await this.#calls.run('history.remove', [channel]);
  }

  close(): Promise<void> {
    this.#calls.close();
    return Promise.resolve();
  }
}
