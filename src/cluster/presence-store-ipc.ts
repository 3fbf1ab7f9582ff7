/**
 * The presence store of a cluster worker: every call runs on the primary's memory presence store over IPC, so all
 * workers of a machine see one presence. The primary removes the entries of a worker that dies.
 */
import {
  cleanInfo,
  type ChannelId,
  type ClientId,
  type ClientInfo,
  type PresenceStats,
  type PresenceStore,
} from '../presence/presence-store.js';
import type { IpcChannel } from './ipc.js';
import { IpcEngineCalls } from './ipc-calls.js';

export class IpcPresenceStore implements PresenceStore {
  readonly #calls: IpcEngineCalls;

  /**
   * @param timeoutMs how long to wait for the primary before failing a call (default 5000).
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(timeoutMs = 5000, channel?: IpcChannel) {
    this.#calls = new IpcEngineCalls('presence', timeoutMs, channel);
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#calls.connected;
  }

  async add(channel: ChannelId, client: ClientId, info: ClientInfo): Promise<void> {
    await this.#calls.run('presence.add', [channel, client, cleanInfo(info)]);
  }

  async remove(channel: ChannelId, client: ClientId): Promise<void> {
    await this.#calls.run('presence.remove', [channel, client]);
  }

  get(channel: ChannelId): Promise<Record<ClientId, ClientInfo>> {
    return this.#calls.run('presence.get', [channel]);
  }

  stats(channel: ChannelId): Promise<PresenceStats> {
    return this.#calls.run('presence.stats', [channel]);
  }

  close(): Promise<void> {
    this.#calls.close();
    return Promise.resolve();
  }
}
